/**
 * Builds the retention, holds, rights and acknowledgement services from the Config (for the CLI; the
 * composition root may use it too). Customer numbers are hashed with capture's key (src/capture/numbers.ts);
 * the acknowledgement-link key is a 32-byte file under `<dataDir>/keys/`, created on first use with mode 0600.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { openDatabaseFromConfig, type Db } from '../db/index.ts';
import { DeletionService } from '../jobs/deletion.service.ts';
import { HoldsService } from '../jobs/holds.service.ts';
import type { Logger } from '../log.ts';
import { createVault } from '../vault/vault.factory.ts';
import type { Vault } from '../vault/vault.ts';
import { RightsService } from './rights.service.ts';
import { KeyRing, loadLocalMasterKey } from '../vault/keyring.ts';
import { numberProtection } from '../capture/numbers.ts';

/** Reads a 32-byte key file, creating it on first use (the acknowledgement-link key). */
export function localKey(config: Config, name: 'ack'): Buffer {
  const dir = join(config.dataDir, 'keys');
  const path = join(dir, `${name}.key`);
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  } catch {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}

export interface RightsServices {
  readonly db: Db;
  readonly vault: Vault;
  readonly deletion: DeletionService;
  readonly holds: HoldsService;
  readonly rights: RightsService;
  close(): Promise<void>;
}

export async function openRightsServices(config: Config, clock: Clock, log: Logger): Promise<RightsServices> {
  const db = await openDatabaseFromConfig(config, clock);
  const masterKey = await loadLocalMasterKey({ masterKey: config.vault.masterKey, dataDir: config.dataDir });
  const vault = await createVault(config, { keyStore: db.dataKeys, masterKey, clock, log });
  // The same keyed hash as capture (src/capture/numbers.ts), so searches and the opposition list match.
  const numbers = await numberProtection(new KeyRing({ current: masterKey, keyStore: db.dataKeys }));
  const deletion = new DeletionService({ db, vault, clock, log });
  return {
    db,
    vault,
    deletion,
    holds: new HoldsService({ db, clock }),
    rights: new RightsService({ db, vault, deletion, clock, log, numberKey: numbers.hashKey }),
    close: () => db.close(),
  };
}
