/**
 * Integrity check of the vault: every recording with a data key must have a sealed container whose chunks
 * all authenticate and, when the metadata store gives it, whose SHA-256 matches; every container must have
 * a key (otherwise it is an orphan, e.g. left behind by a shred whose blob delete failed).
 */
import { createHash } from 'node:crypto';
import { isEcouteError } from '../errors.ts';
import { blobKeyOf, recordingIdOfBlobKey } from './ids.ts';
import type { BlobStore, KeyStore } from './vault.ports.ts';
import type { VaultReader } from './vault.ts';

export interface VerifyOptions {
  /** Only these recordings (default: every recording with a key, plus an orphan scan). */
  readonly ids?: readonly string[];
  /** Expected SHA-256 (hex) of sealed containers, from the metadata store. */
  readonly expectedSha256?: (recordingId: string) => Promise<string | undefined> | string | undefined;
}

export interface VerifyProblem {
  readonly recordingId: string;
  readonly code: string;
  readonly message: string;
}

export interface VerifyReport {
  readonly checked: number;
  readonly ok: readonly string[];
  /** Recordings with a key but no sealed container (and no spool in progress). */
  readonly missing: readonly string[];
  readonly corrupt: readonly VerifyProblem[];
  /** Blob keys of containers without a data key: unreadable, safe to delete. */
  readonly orphaned: readonly string[];
  /** Recordings still being spooled, not checked. */
  readonly spooling: readonly string[];
}

export interface VerifyDeps {
  readonly keyStore: KeyStore;
  readonly blobs: BlobStore;
  readonly open: (id: string) => Promise<VaultReader>;
  readonly spooling: (id: string) => Promise<boolean>;
}

const HASH_STEP = 4 << 20;

async function sha256OfBlob(blobs: BlobStore, key: string, size: number): Promise<string> {
  const h = createHash('sha256');
  for (let at = 0; at < size; at += HASH_STEP)
    h.update(await blobs.getRange(key, at, Math.min(size, at + HASH_STEP)));
  return h.digest('hex');
}

export async function verifyVault(d: VerifyDeps, opts: VerifyOptions): Promise<VerifyReport> {
  const ok: string[] = [];
  const missing: string[] = [];
  const corrupt: VerifyProblem[] = [];
  const orphaned: string[] = [];
  const spooling: string[] = [];
  const ids: string[] = [];
  if (opts.ids) ids.push(...opts.ids);
  else
    for await (const id of d.keyStore.listIds()) {
      // `svc-…` keys protect service data (customer-number hashing), not a recording: no blob to expect.
      if (!id.startsWith('svc-')) ids.push(id);
    }

  for (const id of ids) {
    const blobKey = blobKeyOf(id);
    const head = await d.blobs.head(blobKey);
    const hasKey = (await d.keyStore.get(id)) !== undefined;
    if (!hasKey) {
      if (head) orphaned.push(blobKey);
      else missing.push(id);
      continue;
    }
    if (!head) {
      if (await d.spooling(id)) spooling.push(id);
      else missing.push(id);
      continue;
    }
    try {
      const expected = await opts.expectedSha256?.(id);
      if (expected !== undefined && (await sha256OfBlob(d.blobs, blobKey, head.size)) !== expected) {
        corrupt.push({
          recordingId: id,
          code: 'ECOUTE_VAULT_CORRUPT_CHUNK',
          message: 'sha-256 differs from the stored one',
        });
        continue;
      }
      // Decrypting every chunk authenticates it: this finds corruption even without a stored hash. An Opus
      // container's Ogg pages, index and footer are checked too (no audio is decoded).
      const reader = await d.open(id);
      try {
        await reader.verify();
      } finally {
        reader.close();
      }
      ok.push(id);
    } catch (e) {
      if (isEcouteError(e)) corrupt.push({ recordingId: id, code: e.code, message: e.message });
      else throw e;
    }
  }

  if (!opts.ids) {
    const known = new Set(ids);
    for await (const key of d.blobs.list('recordings/')) {
      const id = recordingIdOfBlobKey(key);
      if (id === undefined || !known.has(id)) orphaned.push(key);
    }
  }
  return { checked: ids.length, ok, missing, corrupt, orphaned, spooling };
}
