import { defineErrors } from '../errors.ts';

/** Outgoing webhooks (src/webhooks/). */
export const WebhookErrors = defineErrors({
  BAD_ENDPOINT: {
    code: 'ECOUTE_WEBHOOK_BAD_ENDPOINT',
    summary: 'A webhook endpoint needs an http(s) URL without credentials and at least one known event.',
  },
  UNKNOWN_ENDPOINT: {
    code: 'ECOUTE_WEBHOOK_UNKNOWN_ENDPOINT',
    summary: 'No webhook endpoint with this id.',
  },
  DELIVERY_FAILED: {
    code: 'ECOUTE_WEBHOOK_DELIVERY_FAILED',
    summary: 'The endpoint did not answer 2xx in time; the delivery is retried with exponential back-off.',
  },
  GAVE_UP: {
    code: 'ECOUTE_WEBHOOK_GAVE_UP',
    summary: 'The delivery failed on every attempt and was abandoned (visible in the jobs table).',
  },
});
