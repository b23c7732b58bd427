import { defineErrors } from '../errors.ts';

/** Errors of the capture port shared by every adapter. */
export const CaptureErrors = defineErrors({
  EXPIRED: {
    code: 'ECOUTE_CAPTURE_EXPIRED',
    summary: 'The call is older than the retention of the policy that would record it; nothing is stored.',
    rule: 'R-RET-1',
  },
  OPEN_FAILED: {
    code: 'ECOUTE_CAPTURE_OPEN_FAILED',
    summary:
      'The recording could not be opened (spool or data key refused: full disk, key store down); the call is not recorded, its recording is marked failed and its daily slot released.',
  },
  PARAMETER_INVALID: {
    code: 'ECOUTE_CAPTURE_PARAMETER_INVALID',
    summary:
      'A call-fact parameter (direction, noticeVersion, noticeEndedAt, a flag…) has a value of the wrong kind; the message names it.',
  },
});
