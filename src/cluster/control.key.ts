/**
 * The key that authenticates call control between nodes (control.wire.ts). NATS itself carries no
 * credentials in Ecoute (ECOUTE_NATS_URL is a plain URL), so the cluster's own shared secret is used: like
 * the customer-number keys (capture/numbers.ts), a service key kept in the vault's key store, wrapped by the
 * master key. Every node of a cluster already shares both (the same database, the same master key: without
 * them no node could unwrap another's recordings), so every node derives the same HMAC key, and nothing
 * new is to be distributed. A client of the NATS server without the master key cannot forge a press.
 */
import { hkdfSync } from 'node:crypto';
import { isEcouteError } from '../errors.ts';
import { DbErrors } from '../db/errors.ts';
import type { KeyRing } from '../vault/keyring.ts';
import { VaultErrors } from '../vault/errors.ts';

/** The key store id of the service key (`svc-…`: vault verify expects no blob for it). */
export const CONTROL_SERVICE_KEY_ID = 'svc-cluster-control';

export async function clusterControlKey(
  keyRing: Pick<KeyRing, 'dataKey' | 'createDataKey'>,
): Promise<Buffer> {
  let service: Buffer;
  try {
    service = await keyRing.dataKey(CONTROL_SERVICE_KEY_ID);
  } catch (e) {
    if (!isEcouteError(e, VaultErrors.KEY_MISSING)) throw e;
    try {
      service = await keyRing.createDataKey(CONTROL_SERVICE_KEY_ID);
    } catch (c) {
      // Two nodes starting together: the other one stored it first; use theirs.
      if (!isEcouteError(c, DbErrors.CONFLICT)) throw c;
      service = await keyRing.dataKey(CONTROL_SERVICE_KEY_ID);
    }
  }
  const key = Buffer.from(hkdfSync('sha256', service, Buffer.alloc(0), 'ecoute/cluster/control/v1', 32));
  service.fill(0);
  return key;
}
