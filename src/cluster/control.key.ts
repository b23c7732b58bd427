/**
 * The cluster's keys: one service key kept in the vault's key store, wrapped by the master key (like the
 * customer-number keys, capture/numbers.ts), from which each use derives its own key with HKDF. NATS itself
 * carries no credentials in Ecoute (ECOUTE_NATS_URL is a plain URL), so the cluster's own shared secret is
 * used: every node of a cluster already shares the database and the master key (without them no node could
 * unwrap another's recordings), so every node derives the same keys and nothing new is to be distributed.
 * A client of the NATS server without the master key can neither forge a press, nor hear a call, nor
 * announce one.
 *
 * - `control`: HMAC-SHA256 of call-control requests and replies (control.wire.ts).
 * - `live`: AES-256-GCM of live audio and close notices on `ecoute.live.<callId>` (sealed.wire.ts, R-SEC-4).
 * - `calls`: AES-256-GCM of call announcements on `ecoute.calls.live`.
 *
 * One service key, not one per use: every holder of one is a holder of the others (the same nodes, the same
 * master-key wrap, the same store, no separate rotation), so more key-store rows would separate nothing.
 * HKDF with distinct info strings (RFC 5869 §3.2) gives independent keys: none can be computed from
 * another, and the HMAC key is never an AES key. A future rotation changes the info's `/v1`.
 */
import type { KeyRing } from '../vault/keyring.ts';
import { deriveKey, serviceKey } from '../vault/service-key.ts';

/**
 * The key store id of the cluster's service key (`svc-…`: vault verify expects no blob for it). Named for
 * its first use; kept so that existing clusters keep their key.
 */
export const CONTROL_SERVICE_KEY_ID = 'svc-cluster-control';

export interface ClusterKeys {
  readonly control: Buffer;
  readonly live: Buffer;
  readonly calls: Buffer;
}

export async function clusterKeys(keyRing: Pick<KeyRing, 'dataKey' | 'createDataKey'>): Promise<ClusterKeys> {
  const service = await serviceKey(keyRing, CONTROL_SERVICE_KEY_ID);
  const keys = {
    control: deriveKey(service, 'ecoute/cluster/control/v1'),
    live: deriveKey(service, 'ecoute/cluster/live/v1'),
    calls: deriveKey(service, 'ecoute/cluster/calls/v1'),
  };
  service.fill(0);
  return keys;
}

export async function clusterControlKey(
  keyRing: Pick<KeyRing, 'dataKey' | 'createDataKey'>,
): Promise<Buffer> {
  return (await clusterKeys(keyRing)).control;
}
