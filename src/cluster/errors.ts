import { defineErrors } from '../errors.ts';

/** Errors of the cluster layer: NATS live relay and call announcements. */
export const ClusterErrors = defineErrors({
  MESSAGE_INVALID: {
    code: 'ECOUTE_CLUSTER_MESSAGE_INVALID',
    summary:
      'A message on an ecoute.live.* or ecoute.calls.* subject is malformed (wrong version, truncated, bad JSON); it is dropped.',
  },
  NATS_UNAVAILABLE: {
    code: 'ECOUTE_CLUSTER_NATS_UNAVAILABLE',
    summary: 'The NATS server named by ECOUTE_NATS_URL cannot be reached at start-up.',
  },
  CALL_NOT_LIVE: {
    code: 'ECOUTE_CLUSTER_CALL_NOT_LIVE',
    summary: 'No node of the cluster announces this call as in progress (it ended, or its node is gone).',
  },
});
