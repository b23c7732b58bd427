/**
 * The key that signs the access log's checkpoints (R-SEC-2). Where it comes from, in this order:
 * 1. `audit.checkpointKey` (ECOUTE_AUDIT_CHECKPOINT_KEY) when the operator sets it;
 * 2. the key file `<dataDir>/audit-checkpoint.key` when this node already has one (it keeps verifying the
 *    checkpoints it signed);
 * 3. on PostgreSQL, where several nodes write one access log: a service key in the shared key store, wrapped
 *    by the master key, so every node signs and verifies with the same key without anything to distribute
 *    (each node creating its own file would make other nodes' checkpoints fail `audit verify`);
 * 4. otherwise (one node on SQLite) a new key file, created once with mode 0600.
 * In every case the key is kept apart from the rows it protects: a file, the environment, or wrapped by the
 * master key, which the database does not hold.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { DialectName } from '../db/types.ts';
import { loadOrCreateSecret } from '../secret-file.ts';
import type { KeyRing } from '../vault/keyring.ts';
import { deriveKey, serviceKey } from '../vault/service-key.ts';

/** The key store id of the shared checkpoint key. */
export const AUDIT_SERVICE_KEY_ID = 'svc-audit-checkpoint';

/** The checkpoint key file in the data directory. */
export const auditKeyPath = (dataDir: string): string => join(dataDir, 'audit-checkpoint.key');

export async function checkpointKey(
  config: Pick<Config, 'audit' | 'dataDir'>,
  store: {
    readonly dialect: DialectName;
    /** Asked for only on PostgreSQL (the CLI then loads the master key). */
    readonly keyRing: () => Promise<Pick<KeyRing, 'dataKey' | 'createDataKey'>>;
  },
  opts: { readonly create: boolean } = { create: true },
): Promise<Buffer> {
  if (config.audit.checkpointKey) return Buffer.from(config.audit.checkpointKey, 'base64');
  const file = auditKeyPath(config.dataDir);
  if (existsSync(file)) return readFile(file);
  if (store.dialect === 'postgres') {
    const service = await serviceKey(await store.keyRing(), AUDIT_SERVICE_KEY_ID);
    const key = deriveKey(service, 'ecoute/audit/checkpoint/v1');
    service.fill(0);
    return key;
  }
  return opts.create ? loadOrCreateSecret(file) : readFile(file);
}
