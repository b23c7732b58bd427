/**
 * Reads an 'opus/8000/2' container as if it were the spool it came from: `format` 'pcmu/8000/2', `size` in
 * bytes of interleaved stereo µ-law, `read(start, end)` returning those bytes. So playback (WAV ranges),
 * analytics and exports need not know how audio is stored. A read decodes only the blocks (1 s) it
 * covers, each from fresh decoders primed on the previous block's tail (opus.indexed.ts), so a range
 * always decodes to the same bytes; decoded blocks are kept in a small per-vault cache that a shred
 * empties (R-RET-4).
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fail } from '../errors.ts';
import { checkIndexedOpus } from '../media/opus.check.ts';
import {
  BLOCK_SAMPLES,
  FOOTER_BYTES,
  FRAMES_PER_BLOCK,
  INDEX_ENTRY_BYTES,
  PREROLL_FRAMES,
  decodeBlock,
  decodeFooter,
  decodeIndex,
  framesFor,
  packetsOf,
  type OpusFooter,
} from '../media/opus.indexed.ts';
import { StereoOpusDecoder } from '../media/opus.ts';
import { MediaErrors } from '../media/errors.ts';
import { VaultErrors } from './errors.ts';
import { checkRange, type ContainerReader } from './container.reader.ts';
import { SPOOL_FORMAT } from './opus.encode.ts';

/** Decoded blocks (interleaved µ-law, 16,000 bytes each) of recently read recordings, least recent out. */
export class BlockCache {
  readonly #max: number;
  readonly #map = new Map<string, Buffer>();

  /** `maxBlocks`: 128 by default (2 MB, about two minutes of audio). */
  constructor(maxBlocks = 128) {
    this.#max = maxBlocks;
  }

  get(recordingId: string, block: number): Buffer | undefined {
    const key = `${recordingId}#${block}`;
    const hit = this.#map.get(key);
    if (hit) {
      this.#map.delete(key);
      this.#map.set(key, hit);
    }
    return hit;
  }

  set(recordingId: string, block: number, data: Buffer): void {
    this.#map.set(`${recordingId}#${block}`, data);
    for (const k of this.#map.keys()) {
      if (this.#map.size <= this.#max) break;
      this.#map.get(k)?.fill(0);
      this.#map.delete(k);
    }
  }

  /** Drops (and wipes) every block of a recording: its decoded audio must not outlive a shred. */
  forget(recordingId: string): void {
    for (const [k, v] of this.#map)
      if (k.startsWith(`${recordingId}#`)) {
        v.fill(0);
        this.#map.delete(k);
      }
  }
}

/** Blocks decoded between two yields to the event loop (each takes about a millisecond). */
const BLOCKS_PER_TURN = 4;

export class OpusReader {
  readonly recordingId: string;
  readonly format = SPOOL_FORMAT;
  /** Bytes of interleaved stereo µ-law: twice the samples per channel. */
  readonly size: number;
  readonly interrupted: boolean;
  readonly footer: OpusFooter;
  readonly #inner: ContainerReader;
  readonly #index: readonly number[];
  readonly #cache: BlockCache;
  readonly #frames: number;
  #decoder: StereoOpusDecoder | undefined;
  #closed = false;

  private constructor(inner: ContainerReader, footer: OpusFooter, index: number[], cache: BlockCache) {
    this.#inner = inner;
    this.recordingId = inner.header.recordingId;
    this.footer = footer;
    this.#index = index;
    this.#cache = cache;
    this.#frames = framesFor(footer.samples, footer.delay);
    this.size = footer.samples * 2;
    this.interrupted = inner.interrupted;
  }

  /** Reads the footer and the block index (a few KB per hour of audio). */
  static async open(inner: ContainerReader, cache: BlockCache): Promise<OpusReader> {
    if (inner.size < FOOTER_BYTES)
      throw fail(MediaErrors.OPUS_INDEX, 'Opus container too short for its footer', {
        recordingId: inner.header.recordingId,
      });
    const footer = decodeFooter(await inner.read(inner.size - FOOTER_BYTES, inner.size), inner.size);
    const index = decodeIndex(
      await inner.read(footer.oggLength, footer.oggLength + footer.blocks * INDEX_ENTRY_BYTES),
      footer,
    );
    return new OpusReader(inner, footer, index, cache);
  }

  /** Interleaved stereo µ-law bytes [start, endExclusive), as the spool held them (decoded). */
  async read(start: number, endExclusive: number): Promise<Buffer> {
    const recordingId = this.recordingId;
    if (this.#closed)
      throw fail(VaultErrors.KEY_MISSING, 'reader closed (recording shredded?)', { recordingId });
    checkRange(recordingId, start, endExclusive, this.size);
    if (start === endExclusive) return Buffer.alloc(0);
    const delay = this.footer.delay;
    // Input sample s is decoded at stream position s + delay (the encoder's look-ahead).
    const from = (start >> 1) + delay;
    const to = ((endExclusive + 1) >> 1) + delay;
    const b0 = Math.floor(from / BLOCK_SAMPLES);
    const b1 = Math.floor((to - 1) / BLOCK_SAMPLES);
    const blocks = await this.#blocks(b0, b1);
    const joined = blocks.length === 1 ? (blocks[0] as Buffer) : Buffer.concat(blocks);
    const at = 2 * (from - b0 * BLOCK_SAMPLES) + (start & 1);
    return Buffer.from(joined.subarray(at, at + (endExclusive - start)));
  }

  /** Authenticates every chunk and checks the Ogg stream's structure against the index; decodes nothing. */
  async verify(): Promise<void> {
    await this.#inner.verifyAll();
    await checkIndexedOpus((s, e) => this.#inner.read(s, e), this.footer, this.#index);
  }

  /** Forgets the data key; idempotent. The vault's cache is emptied by a shred, not by a close. */
  close(): void {
    this.#closed = true;
    this.#inner.close();
  }

  /** Decoded blocks [b0, b1], from the cache or decoded now (one ranged read for the missing ones). */
  async #blocks(b0: number, b1: number): Promise<Buffer[]> {
    const out: (Buffer | undefined)[] = [];
    let lo = -1;
    let hi = -1;
    for (let b = b0; b <= b1; b++) {
      const hit = this.#cache.get(this.recordingId, b);
      out.push(hit);
      if (!hit) {
        if (lo < 0) lo = b;
        hi = b;
      }
    }
    if (lo < 0) return out as Buffer[];
    const packets = await this.#packets(Math.max(0, lo - 1), hi);
    this.#decoder ??= new StereoOpusDecoder();
    let turn = 0;
    for (let b = lo; b <= hi; b++) {
      if (out[b - b0]) continue;
      if (++turn % BLOCKS_PER_TURN === 0) await yieldToLoop();
      if (this.#closed)
        throw fail(VaultErrors.KEY_MISSING, 'reader closed (recording shredded?)', {
          recordingId: this.recordingId,
        });
      const preroll = b > 0 ? (packets.get(b - 1) ?? []).slice(-PREROLL_FRAMES) : [];
      const data = decodeBlock(this.#decoder, preroll, packets.get(b) ?? []);
      this.#cache.set(this.recordingId, b, data);
      out[b - b0] = data;
    }
    return out as Buffer[];
  }

  /** The packets of blocks [first, last], by block, from one read of their pages. */
  async #packets(first: number, last: number): Promise<Map<number, Buffer[]>> {
    const from = this.#index[first] as number;
    const to = this.#index[last + 1] ?? this.footer.oggLength;
    const ogg = await this.#inner.read(from, to);
    const out = new Map<number, Buffer[]>();
    for (let b = first; b <= last; b++) {
      const s = (this.#index[b] as number) - from;
      const e = (this.#index[b + 1] ?? this.footer.oggLength) - from;
      const packets = packetsOf(ogg.subarray(s, e));
      const expected = Math.min(FRAMES_PER_BLOCK, this.#frames - b * FRAMES_PER_BLOCK);
      if (packets.length !== expected)
        throw fail(MediaErrors.OPUS_INDEX, 'an Opus block does not hold its packets', {
          recordingId: this.recordingId,
          block: b,
        });
      out.set(b, packets);
    }
    return out;
  }
}
