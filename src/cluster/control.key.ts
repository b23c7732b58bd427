/**
 * The key that authenticates call control between nodes (control.wire.ts). NATS itself carries no
 * credentials in Ecoute (ECOUTE_NATS_URL is a plain URL), so the cluster's own shared secret is used: like
 * the customer-number keys (capture/numbers.ts), a service key kept in the vault's key store, wrapped by the
 * master key. Every node of a cluster already shares both (the same database, the same master key: without
 * them no node could unwrap another's recordings), so every node derives the same HMAC key, and nothing
 * new is to be distributed. A client of the NATS server without the master key cannot forge a press.
 */
import type { KeyRing } from '../vault/keyring.ts';
import { deriveKey, serviceKey } from '../vault/service-key.ts';

/** The key store id of the service key (`svc-…`: vault verify expects no blob for it). */
export const CONTROL_SERVICE_KEY_ID = 'svc-cluster-control';

export async function clusterControlKey(
  keyRing: Pick<KeyRing, 'dataKey' | 'createDataKey'>,
): Promise<Buffer> {
  const service = await serviceKey(keyRing, CONTROL_SERVICE_KEY_ID);
  const key = deriveKey(service, 'ecoute/cluster/control/v1');
  service.fill(0);
  return key;
}
