import { defineErrors } from '../errors.ts';

/** Errors of the cluster layer: NATS live relay, call announcements and call control across nodes. */
export const ClusterErrors = defineErrors({
  MESSAGE_INVALID: {
    code: 'ECOUTE_CLUSTER_MESSAGE_INVALID',
    summary:
      'A message on an ecoute.live.*, ecoute.calls.* or ecoute.control.* subject is malformed (wrong version, truncated, bad JSON); it is dropped.',
  },
  MESSAGE_FORGED: {
    code: 'ECOUTE_CLUSTER_MESSAGE_FORGED',
    rule: 'R-SEC-4',
    summary:
      'A message on an ecoute.live.* or ecoute.calls.* subject does not open with the cluster key (not sealed by a node of this cluster, altered, moved to another call or subject), or is stale (more than 30 s from this node’s clock) or replayed: it is dropped, never played nor listed, and counted in ecoute_cluster_rejected_total{kind}.',
  },
  NATS_UNAVAILABLE: {
    code: 'ECOUTE_CLUSTER_NATS_UNAVAILABLE',
    summary: 'The NATS server named by ECOUTE_NATS_URL cannot be reached at start-up.',
  },
  NATS_AUTH_FAILED: {
    code: 'ECOUTE_CLUSTER_NATS_AUTH_FAILED',
    summary:
      'The NATS server refused this node at start-up (Authorization Violation, or an expired or revoked user JWT): nats.token, nats.user/nats.password or nats.credsFile is wrong or missing, or the credentials file cannot be read. The node does not start; its secrets are never logged.',
  },
  NATS_TLS_FAILED: {
    code: 'ECOUTE_CLUSTER_NATS_TLS_FAILED',
    summary:
      'The TLS connection to NATS could not be set up at start-up: the server certificate does not verify with nats.tls.caFile (or the system CAs), the server refused the client certificate, a nats.tls.* file cannot be read, or a tls:// URL names a server without TLS. The node does not start.',
  },
  CALL_NOT_LIVE: {
    code: 'ECOUTE_CLUSTER_CALL_NOT_LIVE',
    summary: 'No node of the cluster announces this call as in progress (it ended, or its node is gone).',
  },
  OWNER_UNREACHABLE: {
    code: 'ECOUTE_CLUSTER_OWNER_UNREACHABLE',
    summary:
      'The node holding the call did not answer a forwarded call-control press (gone, cut from NATS, or slower than nats.controlTimeoutMs): the action is not confirmed. With no node serving its subject it was not applied; after a timeout it may have been. Check GET /api/calls/live and press again (every control action is idempotent).',
  },
  CONTROL_FORGED: {
    code: 'ECOUTE_CLUSTER_CONTROL_FORGED',
    summary:
      'A call-control message on NATS does not verify with the cluster control key (not from a node of this cluster, altered, sent to another node, stale or replayed): it is refused and nothing is done. Between two real nodes: they do not share the master key and database.',
  },
  CONTROL_FAILED: {
    code: 'ECOUTE_CLUSTER_CONTROL_FAILED',
    summary:
      'The node holding the call received the forwarded control request but applying it failed there (its log has the request id).',
  },
});
