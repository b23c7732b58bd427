import { defineErrors } from '../errors.ts';

/** Errors of the capture port shared by every adapter. */
export const CaptureErrors = defineErrors({
  EXPIRED: {
    code: 'ECOUTE_CAPTURE_EXPIRED',
    summary: 'The call is older than the retention of the policy that would record it; nothing is stored.',
    rule: 'R-RET-1',
  },
  PARAMETER_INVALID: {
    code: 'ECOUTE_CAPTURE_PARAMETER_INVALID',
    summary:
      'A call-fact parameter (direction, noticeVersion, noticeEndedAt, a flag…) has a value of the wrong kind; the message names it.',
  },
});
