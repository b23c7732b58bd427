/**
 * Random access to a sealed container: opening checks the header, the key check and the final chunk (so a
 * truncated container is refused at once); `read(start, end)` fetches and decrypts only the chunks it needs.
 */
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import {
  FLAG_FINAL,
  FLAG_RECOVERED,
  MAX_HEADER_BYTES,
  TAG_BYTES,
  chunkKeyOf,
  chunkOffset,
  decodeHeader,
  keyCheckOf,
  layoutOf,
  openChunk,
  type ContainerHeader,
  type DecodedHeader,
  type Layout,
} from './container.ts';

/** Where the sealed bytes come from: a blob store, a local file. */
export interface RangeSource {
  readonly size: number;
  read(start: number, endExclusive: number): Promise<Uint8Array>;
}

export class ContainerReader {
  readonly header: ContainerHeader;
  /** Plaintext bytes. */
  readonly size: number;
  /** True when recovery closed the container after a crash (its last chunk carries FLAG_RECOVERED). */
  readonly interrupted: boolean;
  #key: Buffer | undefined;
  readonly #src: RangeSource;
  readonly #decoded: DecodedHeader;
  readonly #layout: Layout;
  readonly #last: Buffer;

  private constructor(
    src: RangeSource,
    key: Buffer,
    decoded: DecodedHeader,
    layout: Layout,
    last: Buffer,
    interrupted: boolean,
  ) {
    this.#src = src;
    this.#key = key;
    this.#decoded = decoded;
    this.#layout = layout;
    this.#last = last;
    this.header = decoded.header;
    this.size = layout.plainSize;
    this.interrupted = interrupted;
  }

  static async open(src: RangeSource, dataKey: Uint8Array, recordingId: string): Promise<ContainerReader> {
    const ctx = { recordingId };
    const head = await src.read(0, Math.min(src.size, MAX_HEADER_BYTES));
    const decoded = decodeHeader(head, recordingId);
    const { header } = decoded;
    if (header.keyCheck !== keyCheckOf(dataKey))
      throw fail(VaultErrors.WRONG_KEY, 'the data key does not open this container', ctx);
    const layout = layoutOf(decoded.length, header.chunkBytes, src.size);
    if (!layout) throw fail(VaultErrors.TRUNCATED, 'container truncated before its final chunk', ctx);
    const index = layout.chunks - 1;
    const at = chunkOffset(decoded.length, header.chunkBytes, index);
    const sealed = await src.read(at, src.size);
    const key = chunkKeyOf(dataKey, header);
    const domain = header.domain;
    let last = openChunk(key, decoded.hash, index, FLAG_FINAL, sealed, domain);
    let interrupted = false;
    if (!last) {
      last = openChunk(key, decoded.hash, index, FLAG_FINAL | FLAG_RECOVERED, sealed, domain);
      interrupted = last !== undefined;
    }
    if (!last) {
      // A valid non-final chunk at the end means whole chunks were cut off: truncation, not corruption.
      const cut = openChunk(key, decoded.hash, index, 0, sealed, domain);
      throw cut
        ? fail(VaultErrors.TRUNCATED, 'container truncated at a chunk boundary', { ...ctx, chunk: index })
        : fail(VaultErrors.CORRUPT_CHUNK, 'final chunk fails authentication', { ...ctx, chunk: index });
    }
    return new ContainerReader(src, key, decoded, layout, last, interrupted);
  }

  /** Plaintext bytes [start, endExclusive). */
  async read(start: number, endExclusive: number): Promise<Buffer> {
    const recordingId = this.header.recordingId;
    const key = this.#key;
    if (!key) throw fail(VaultErrors.KEY_MISSING, 'reader closed (recording shredded?)', { recordingId });
    checkRange(recordingId, start, endExclusive, this.size);
    if (start === endExclusive) return Buffer.alloc(0);
    const { chunkBytes } = this.header;
    const first = Math.floor(start / chunkBytes);
    const lastIdx = Math.floor((endExclusive - 1) / chunkBytes);
    const plains = await this.#chunks(key, first, lastIdx);
    const joined = plains.length === 1 ? plains[0]! : Buffer.concat(plains);
    const from = start - first * chunkBytes;
    return joined.subarray(from, from + (endExclusive - start));
  }

  /** Decrypts chunks [first, last] (inclusive) with one ranged read. */
  async #chunks(key: Buffer, first: number, last: number): Promise<Buffer[]> {
    const { chunkBytes } = this.header;
    const finalIdx = this.#layout.chunks - 1;
    const stop = Math.min(last, finalIdx - 1);
    const out: Buffer[] = [];
    if (first <= stop) {
      const base = chunkOffset(this.#decoded.length, chunkBytes, first);
      const end = chunkOffset(this.#decoded.length, chunkBytes, stop + 1);
      const sealed = await this.#src.read(base, end);
      const stride = chunkBytes + TAG_BYTES;
      for (let i = first; i <= stop; i++) {
        const at = (i - first) * stride;
        const plain = openChunk(
          key,
          this.#decoded.hash,
          i,
          0,
          sealed.subarray(at, at + stride),
          this.header.domain,
        );
        if (!plain)
          throw fail(VaultErrors.CORRUPT_CHUNK, 'chunk fails authentication', {
            recordingId: this.header.recordingId,
            chunk: i,
          });
        out.push(plain);
      }
    }
    if (last === finalIdx) out.push(this.#last);
    return out;
  }

  /** Authenticates every chunk, a batch at a time; throws the first failure. */
  async verifyAll(batchChunks = 64): Promise<void> {
    const key = this.#key;
    if (!key) throw fail(VaultErrors.KEY_MISSING, 'reader closed', { recordingId: this.header.recordingId });
    for (let i = 0; i < this.#layout.chunks; i += batchChunks)
      await this.#chunks(key, i, Math.min(i + batchChunks, this.#layout.chunks) - 1);
  }

  /** Forgets the data key (R-RET-4: a shred closes every open reader). Idempotent. */
  close(): void {
    this.#key?.fill(0);
    this.#key = undefined;
  }
}

/** Throws RANGE unless [start, endExclusive) is a range of whole bytes inside `size`. */
export function checkRange(recordingId: string, start: number, endExclusive: number, size: number): void {
  if (
    !(Number.isInteger(start) && Number.isInteger(endExclusive)) ||
    start < 0 ||
    endExclusive > size ||
    start > endExclusive
  )
    throw fail(VaultErrors.RANGE, 'range outside the recording', { recordingId, start, endExclusive, size });
}
