/** Test fixture: a real vault on the filesystem under one directory (FileKeyStore, FsBlobStore). */
import { join } from 'node:path';
import { FakeClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { FileKeyStore } from '../file.keystore.ts';
import { FsBlobStore } from '../fs/fs.store.ts';
import { KeyRing, LocalMasterKey } from '../keyring.ts';
import { Vault } from '../vault.ts';
import type { BlobStore } from '../vault.ports.ts';

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

export function vaultAt(
  dir: string,
  opts: { blobs?: BlobStore; chunkMs?: number; spoolDir?: string } = {},
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
