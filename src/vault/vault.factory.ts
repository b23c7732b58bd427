/**
 * Builds the vault's adapters from the Config (for the composition root and the CLI). The KeyStore is a
 * parameter: the metadata store's `data_keys` table in production, FileKeyStore for embedded tools.
 */
import { join } from 'node:path';
import type { Config } from '../config/config.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { FileKeyStore } from './file.keystore.ts';
import { FsBlobStore } from './fs/fs.store.ts';
import { KeyRing, loadLocalMasterKey } from './keyring.ts';
import { S3BlobStore } from './s3/s3.store.ts';
import { SealPool } from './seal.pool.ts';
import { Vault } from './vault.ts';
import type { BlobStore, KeyStore, MasterKeyProvider } from './vault.ports.ts';

export function blobStoreFromConfig(config: Config): BlobStore {
  if (config.blobs.kind === 's3') return new S3BlobStore(config.blobs.s3);
  return new FsBlobStore(join(config.dataDir, 'blobs'));
}

export async function createVault(
  config: Config,
  deps: { keyStore?: KeyStore; masterKey?: MasterKeyProvider; clock: Clock; log: Logger },
): Promise<Vault> {
  const keyStore = deps.keyStore ?? new FileKeyStore(join(config.dataDir, 'keys', 'data'));
  const current =
    deps.masterKey ??
    (await loadLocalMasterKey({ masterKey: config.vault.masterKey, dataDir: config.dataDir }));
  return new Vault({
    keyRing: new KeyRing({ current, keyStore }),
    keyStore,
    blobs: blobStoreFromConfig(config),
    spoolDir: join(config.dataDir, 'spool'),
    clock: deps.clock,
    log: deps.log,
    chunkMs: config.vault.chunkMs,
    storage: config.vault.storage,
    opusBitrate: config.vault.opusBitrate,
    opusComplexity: config.vault.opusComplexity,
    sealer: new SealPool({ size: config.vault.sealWorkers }),
  });
}
