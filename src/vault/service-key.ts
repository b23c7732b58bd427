/**
 * Service keys: secrets the whole deployment shares (customer-number protection, cluster call control, the
 * access log's checkpoints), kept like recording keys in the key store, wrapped by the master key. Every
 * node shares the database and the master key already, so every node obtains the same secret and nothing
 * new is to be distributed; a reader of the database alone cannot unwrap them. Ids start with `svc-`
 * (never a recording id: `vault verify` expects no blob for them).
 */
import { hkdfSync } from 'node:crypto';
import { isEcouteError } from '../errors.ts';
import { DbErrors } from '../db/errors.ts';
import type { KeyRing } from './keyring.ts';
import { VaultErrors } from './errors.ts';

/** The service key `id`, created on first use; two nodes starting together end up with the same one. */
export async function serviceKey(
  keyRing: Pick<KeyRing, 'dataKey' | 'createDataKey'>,
  id: `svc-${string}`,
): Promise<Buffer> {
  try {
    return await keyRing.dataKey(id);
  } catch (e) {
    if (!isEcouteError(e, VaultErrors.KEY_MISSING)) throw e;
  }
  try {
    return await keyRing.createDataKey(id);
  } catch (c) {
    // Another node stored it between our read and our write: use theirs.
    if (!isEcouteError(c, DbErrors.CONFLICT) && !isEcouteError(c, VaultErrors.KEY_EXISTS)) throw c;
    return keyRing.dataKey(id);
  }
}

/** A 32-byte key for one use (`info`, e.g. `ecoute/cluster/control/v1`) derived from a service key. */
export function deriveKey(service: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', service, Buffer.alloc(0), info, 32));
}
