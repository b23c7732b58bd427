/**
 * Crash recovery of one spool file: keep every whole chunk that authenticates, drop a torn tail, and close
 * the container with an empty final chunk flagged RECOVERED. That (index, flags) nonce is never used by a
 * writer, and recovery is deterministic, so running it twice after a second crash writes the same bytes.
 */
import { open } from 'node:fs/promises';
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import {
  DOMAIN_SPOOL,
  FLAG_FINAL,
  FLAG_RECOVERED,
  MAX_HEADER_BYTES,
  TAG_BYTES,
  chunkOffset,
  decodeHeader,
  keyCheckOf,
  openChunk,
  sealChunk,
} from './container.ts';

export interface SpoolRepair {
  /** False when the spool was already complete (the writer finished but the upload did not happen). */
  readonly repaired: boolean;
  /** Whole chunks kept. */
  readonly chunks: number;
  /** Bytes of torn tail dropped (sealed bytes, at most about one chunk). */
  readonly droppedBytes: number;
}

const BATCH = 64;

export async function repairSpool(path: string, recordingId: string, dataKey: Buffer): Promise<SpoolRepair> {
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    await fh.read(head, 0, head.length, 0);
    const { header, length, hash } = decodeHeader(head, recordingId);
    if (header.domain !== DOMAIN_SPOOL)
      throw fail(VaultErrors.BAD_HEADER, 'not a spool (re-encoded container)', { recordingId });
    if (header.keyCheck !== keyCheckOf(dataKey))
      throw fail(VaultErrors.WRONG_KEY, 'the data key does not open this spool', { recordingId });
    const stride = header.chunkBytes + TAG_BYTES;
    const isFinal = (i: number, sealed: Buffer) =>
      openChunk(dataKey, hash, i, FLAG_FINAL, sealed) ??
      openChunk(dataKey, hash, i, FLAG_FINAL | FLAG_RECOVERED, sealed);

    let index = 0;
    for (;;) {
      const at = chunkOffset(length, header.chunkBytes, index);
      const avail = Math.min(size - at, BATCH * stride);
      if (avail < TAG_BYTES) break;
      const buf = Buffer.alloc(avail);
      await fh.read(buf, 0, avail, at);
      let advanced = 0;
      for (let off = 0; off + TAG_BYTES <= avail; off += stride) {
        const sealed = buf.subarray(off, Math.min(off + stride, avail));
        const atEnd = at + off + sealed.length === size;
        if (sealed.length === stride && openChunk(dataKey, hash, index, 0, sealed)) {
          index++;
          advanced++;
          continue;
        }
        if (atEnd && isFinal(index, sealed)) return { repaired: false, chunks: index + 1, droppedBytes: 0 };
        break;
      }
      if (advanced < BATCH) break;
    }

    // Torn or missing tail: cut at the last good chunk, then close the container as recovered.
    const keep = chunkOffset(length, header.chunkBytes, index);
    const closing = sealEmptyRecovered(dataKey, hash, index);
    await fh.truncate(keep);
    await fh.write(closing, 0, closing.length, keep);
    await fh.datasync();
    return { repaired: true, chunks: index + 1, droppedBytes: size - keep };
  } finally {
    await fh.close();
  }
}

function sealEmptyRecovered(key: Buffer, hash: Buffer, index: number): Buffer {
  return sealChunk(key, hash, index, FLAG_FINAL | FLAG_RECOVERED, Buffer.alloc(0));
}
