/**
 * Sealing as Opus (DESIGN.md flow step 5), the vault's side: a sealing process re-encodes the spool into
 * `<id>.sealing` (nonce domain 1, same data key, fresh salt), which is uploaded while hashed, then checked
 * in the store (size, header, key check, final chunk); only then are the spool and the temporary file
 * removed. A crash anywhere before leaves the spool, and `recoverSpools` seals it again.
 */
import { createHash } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import type { Logger } from '../log.ts';
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { ContainerReader } from './container.reader.ts';
import { hashedFile } from './files.ts';
import { blobKeyOf } from './ids.ts';
import { OPUS_FORMAT } from './opus.encode.ts';
import type { Sealer } from './seal.pool.ts';
import type { SealedInfo } from './spool.ts';
import type { BlobStore } from './vault.ports.ts';

export interface OpusSealDeps {
  readonly blobs: BlobStore;
  readonly sealer: Sealer;
  readonly log: Logger;
  /** Bits per second per channel. */
  readonly bitrate: number;
  readonly complexity: number;
}

export async function sealOpus(
  d: OpusSealDeps,
  recordingId: string,
  paths: { readonly spool: string; readonly sealing: string },
  dataKey: Uint8Array,
): Promise<SealedInfo> {
  const blobKey = blobKeyOf(recordingId);
  try {
    await unlink(paths.sealing).catch(() => undefined); // a stale attempt, cut short by a crash
    const enc = await d.sealer.run({
      recordingId,
      spoolPath: paths.spool,
      outPath: paths.sealing,
      dataKey: Uint8Array.from(dataKey),
      bitrate: d.bitrate,
      complexity: d.complexity,
    });
    const hash = createHash('sha256');
    await d.blobs.put(blobKey, hashedFile(paths.sealing, hash), enc.size);
    const sha256 = hash.digest('hex');
    if (sha256 !== enc.sha256)
      throw fail(VaultErrors.SEAL, 'uploaded bytes differ from the sealed file', { recordingId });
    const stored = await d.blobs.head(blobKey);
    if (stored?.size !== enc.size)
      throw fail(VaultErrors.BLOB_UNAVAILABLE, 'stored blob size differs from the sealed file', {
        recordingId,
        blobKey,
      });
    const back = await ContainerReader.open(
      { size: stored.size, read: (s, e) => d.blobs.getRange(blobKey, s, e) },
      dataKey,
      recordingId,
    );
    back.close();
    if (back.header.format !== OPUS_FORMAT || back.interrupted !== enc.interrupted)
      throw fail(VaultErrors.BLOB_UNAVAILABLE, 'stored blob is not the sealed file', {
        recordingId,
        blobKey,
      });
    await unlink(paths.spool);
    await unlink(paths.sealing).catch(() => undefined);
    d.log.info(
      { recordingId, size: enc.size, encodeMs: Math.round(enc.encodeMs), interrupted: enc.interrupted },
      'recording sealed',
    );
    return {
      recordingId,
      blobKey,
      sha256,
      size: enc.size,
      durationBytes: enc.samples * 2,
      format: OPUS_FORMAT,
      interrupted: enc.interrupted,
    };
  } catch (e) {
    await unlink(paths.sealing).catch(() => undefined);
    throw e;
  }
}
