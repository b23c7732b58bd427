/** Test fixture: a real vault on the filesystem under one directory (FileKeyStore, FsBlobStore). */
import { join } from 'node:path';
import { FakeClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { FileKeyStore } from '../file.keystore.ts';
import { FsBlobStore } from '../fs/fs.store.ts';
import { KeyRing, LocalMasterKey } from '../keyring.ts';
import { Vault, type StorageCodec } from '../vault.ts';
import type { BlobStore } from '../vault.ports.ts';
import type { Sealer } from '../seal.pool.ts';

export interface VaultFixture {
  readonly vault: Vault;
  readonly keyRing: KeyRing;
  readonly keyStore: FileKeyStore;
  readonly blobs: BlobStore;
  readonly clock: FakeClock;
  readonly dir: string;
}

/** A fixed master key so a child process and its parent share it. */
export const FIXTURE_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * A vault under `dir`. `storage` defaults to 'pcmu' HERE (not in production, where it is 'opus'): the
 * fixture's `pattern` bytes are not audio, and the tests using it compare sealed bytes exactly. Tests of
 * Opus storage pass `storage: 'opus'`.
 */
export function vaultAt(
  dir: string,
  opts: {
    blobs?: BlobStore;
    chunkMs?: number;
    spoolDir?: string;
    storage?: StorageCodec;
    opusBitrate?: number;
    sealer?: Sealer;
  } = {},
): VaultFixture {
  const keyStore = new FileKeyStore(join(dir, 'keys', 'data'));
  const keyRing = new KeyRing({ current: LocalMasterKey.fromBase64(FIXTURE_MASTER_KEY), keyStore });
  const blobs = opts.blobs ?? new FsBlobStore(join(dir, 'blobs'));
  const clock = new FakeClock();
  const vault = new Vault({
    keyRing,
    keyStore,
    blobs,
    spoolDir: opts.spoolDir ?? join(dir, 'spool'),
    clock,
    log: silentLogger,
    chunkMs: opts.chunkMs ?? 100,
    storage: opts.storage ?? 'pcmu',
    ...(opts.opusBitrate ? { opusBitrate: opts.opusBitrate } : {}),
    ...(opts.sealer ? { sealer: opts.sealer } : {}),
  });
  return { vault, keyRing, keyStore, blobs, clock, dir };
}

/** Deterministic "audio": byte at absolute offset o. */
export function patternByte(o: number): number {
  return (o * 7 + (o >>> 8)) & 0xff;
}

export function pattern(start: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = patternByte(start + i);
  return b;
}
