import { defineErrors } from '../errors.ts';

/** Conversation analytics and transcription (docs/errors.md, section "Analytics"). */
export const AnalyticsErrors = defineErrors({
  NOT_ANALYSABLE: {
    code: 'ECOUTE_ANALYTICS_NOT_ANALYSABLE',
    summary:
      'The recording is not sealed, is not stereo µ-law, or was recorded for no purpose that analytics serve (evaluation, quality, training).',
  },
  BAD_PAYLOAD: {
    code: 'ECOUTE_ANALYTICS_BAD_PAYLOAD',
    summary: 'An analytics or transcription job was enqueued without a recording id.',
  },
  RETENTION_TOO_LONG: {
    code: 'ECOUTE_ANALYTICS_RETENTION_TOO_LONG',
    summary: 'Talk analytics are analysis documents: at most 365 days.',
    rule: 'R-RET-2',
  },
  ENGINE_FAILED: {
    code: 'ECOUTE_ANALYTICS_ENGINE_FAILED',
    summary: 'The configured transcription engine exited non-zero or timed out.',
  },
  NO_ENGINE: {
    code: 'ECOUTE_ANALYTICS_NO_ENGINE',
    summary: 'Transcription was asked for but no engine is configured (everything else works without one).',
  },
  BAD_PERIOD: {
    code: 'ECOUTE_ANALYTICS_BAD_PERIOD',
    summary: 'An aggregate period is malformed or longer than 366 days.',
  },
});
