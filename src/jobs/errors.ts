/** Error catalogue of the scheduler, the retention job and legal holds (docs/errors.md, "Jobs"). */
import { defineErrors } from '../errors.ts';

export const JobsErrors = defineErrors({
  UNKNOWN_KIND: {
    code: 'ECOUTE_JOBS_UNKNOWN_KIND',
    summary: 'No handler is registered for this job kind.',
  },
  WRITE_ONCE: {
    code: 'ECOUTE_JOBS_WRITE_ONCE',
    summary:
      'A write-once sector recording cannot be deleted or altered before it expires, even by an admin.',
    rule: 'R-RET-3',
  },
  HELD: {
    code: 'ECOUTE_JOBS_HELD',
    summary: 'The recording is under a legal hold: it cannot be deleted until the hold is released.',
    rule: 'R-RET-6',
  },
  HOLD_INCOMPLETE: {
    code: 'ECOUTE_JOBS_HOLD_INCOMPLETE',
    summary: 'A legal hold needs a reason, an owner and a review date in the future.',
    rule: 'R-RET-6',
  },
  HOLD_NOT_FOUND: {
    code: 'ECOUTE_JOBS_HOLD_NOT_FOUND',
    summary: 'No active legal hold has this id.',
    rule: 'R-RET-6',
  },
});
