/**
 * Re-encodes a finished 'pcmu/8000/2' spool into an 'opus/8000/2' container file (DESIGN.md flow step 5):
 * decrypts the spool a slice at a time, encodes both channels, and seals the indexed Ogg Opus stream in
 * nonce domain 1 (docs/vault-format.md). CPU-heavy: the vault runs it in a child process (seal.pool.ts; the native codec crashes worker threads
 * on exit).
 */
import { performance } from 'node:perf_hooks';
import { fail } from '../errors.ts';
import { IndexedOpusWriter } from '../media/opus.indexed.ts';
import { VaultErrors } from './errors.ts';
import { ContainerReader } from './container.reader.ts';
import { fileSource } from './files.ts';
import { ContainerFileWriter } from './container.writer.ts';

export const SPOOL_FORMAT = 'pcmu/8000/2';
export const OPUS_FORMAT = 'opus/8000/2';
/** Plaintext per chunk of a re-encoded container: a block and its pre-roll usually sit in one or two. */
export const OPUS_CHUNK_BYTES = 16_384;
/** Spool plaintext decrypted and encoded per step: 10 s of stereo µ-law. */
const SLICE_BYTES = 160_000;

export interface OpusSealJob {
  readonly recordingId: string;
  readonly spoolPath: string;
  /** The `<id>.sealing` file to create (it must not exist). */
  readonly outPath: string;
  readonly dataKey: Uint8Array;
  readonly bitrate: number;
  readonly complexity: number;
}

export interface OpusSealResult {
  /** Bytes of the container file. */
  readonly size: number;
  readonly sha256: string;
  /** Samples per channel: the µ-law-equivalent length is twice this. */
  readonly samples: number;
  readonly interrupted: boolean;
  /** Bytes of the Ogg Opus stream inside. */
  readonly oggBytes: number;
  /** Wall time of the encode, ms. */
  readonly encodeMs: number;
}

export async function encodeSpool(job: OpusSealJob): Promise<OpusSealResult> {
  const t0 = performance.now();
  const ctx = { recordingId: job.recordingId };
  const src = await fileSource(job.spoolPath).catch((e: unknown) => {
    throw fail(VaultErrors.SPOOL_MISSING, 'no spool to seal', ctx, e);
  });
  try {
    const spool = await ContainerReader.open(src, job.dataKey, job.recordingId);
    if (spool.header.format !== SPOOL_FORMAT)
      throw fail(VaultErrors.FORMAT, 'only pcmu/8000/2 spools are re-encoded', {
        ...ctx,
        format: spool.header.format,
      });
    const out = await ContainerFileWriter.create({
      path: job.outPath,
      recordingId: job.recordingId,
      dataKey: job.dataKey,
      format: OPUS_FORMAT,
      chunkBytes: OPUS_CHUNK_BYTES,
      createdMs: spool.header.createdMs,
    });
    try {
      const enc = new IndexedOpusWriter({
        bitrate: job.bitrate,
        complexity: job.complexity,
        serial: serialOf(job.recordingId),
      });
      const put = async (parts: Buffer[]): Promise<void> => {
        for (const p of parts) await out.write(p);
      };
      for (let at = 0; at < spool.size; at += SLICE_BYTES)
        await put(enc.push(await spool.read(at, Math.min(spool.size, at + SLICE_BYTES))));
      await put(enc.finish());
      const { size, sha256 } = await out.finish(spool.interrupted);
      spool.close();
      return {
        size,
        sha256,
        samples: enc.samples,
        interrupted: spool.interrupted,
        oggBytes: enc.oggLength,
        encodeMs: performance.now() - t0,
      };
    } finally {
      await out.close();
    }
  } finally {
    await src.close();
  }
}

/** A stable Ogg serial number per recording (any 32-bit value is valid; stable keeps re-seals alike). */
function serialOf(recordingId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < recordingId.length; i++) h = Math.imul(h ^ recordingId.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
