/**
 * Ecoute's stored audio: an Ogg Opus stream (RFC 7845) followed by a block index and a footer, so that a
 * time maps onto a byte range without scanning pages:
 *
 *   [Ogg Opus: OpusHead page, OpusTags page, audio pages][index: 8 bytes per block][footer: 32 bytes]
 *
 * A block is FRAMES_PER_BLOCK packets (1 s); each block starts a new page (usually one page per block).
 * The index holds the byte offset of each block's first page. Every range of the recording decodes the
 * same bytes whatever the range: block b is always decoded by fresh decoders primed with the packets of
 * block b-1 (PREROLL_FRAMES), so HTTP range reads of one recording always agree with each other.
 * CPU-only.
 */
import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';
import { linearToUlaw, ulawToLinear } from './g711.ts';
import { OGG_BOS, OGG_EOS, OGG_MAX_SEGMENTS, buildPage, pagesOf, segmentsOf } from './ogg.ts';
import {
  FRAME_SAMPLES,
  GRANULE_PER_SAMPLE,
  StereoOpusEncoder,
  opusHead,
  opusTags,
  type OpusEncoderOptions,
  type StereoOpusDecoder,
} from './opus.ts';

/** 50 packets of 20 ms: one block per second. */
export const FRAMES_PER_BLOCK = 50;
export const BLOCK_SAMPLES = FRAMES_PER_BLOCK * FRAME_SAMPLES;
/**
 * Pre-roll before a block: the whole previous block (1 s). RFC 7845 §4.6 asks for at least 80 ms, enough
 * for speech; steady tones (ringback, hold music) need longer before SILK's filters settle: measured at
 * complexity 9 with prediction disabled, a 1500 Hz tone kept 97 % of its energy in every 50 ms window
 * after a 1 s pre-roll, 83 % after 0.5 s. Costs a 2x decode.
 */
export const PREROLL_FRAMES = FRAMES_PER_BLOCK;
export const FOOTER_BYTES = 32;
export const INDEX_ENTRY_BYTES = 8;
const FOOTER_MAGIC = 'EOIX';

/** G.711 µ-law as tables both ways (the 64 KB encode table is built once, in about a millisecond). */
const ULAW_TO_LINEAR = Int16Array.from({ length: 256 }, (_, b) => ulawToLinear(b));
const LINEAR_TO_ULAW = Uint8Array.from({ length: 65536 }, (_, i) => linearToUlaw(i - 32768));
const FOOTER_VERSION = 1;

export interface OpusFooter {
  /** Blocks (entries of the index). */
  readonly blocks: number;
  readonly framesPerBlock: number;
  /** Encoder look-ahead in 8 kHz samples: input sample s is decoded at stream position s + delay. */
  readonly delay: number;
  /** Bytes of the Ogg stream (where the index starts). */
  readonly oggLength: number;
  /** Samples per channel of the source, the exact length of the decoded recording. */
  readonly samples: number;
}

/** Footer layout (big-endian): magic 4 | version 1 | 0 | frames/block 2 | blocks 4 | delay 2 | 0 0 | ogg 8 | samples 8. */
export function encodeFooter(f: OpusFooter): Buffer {
  const b = Buffer.alloc(FOOTER_BYTES);
  b.write(FOOTER_MAGIC, 0, 'latin1');
  b.writeUInt8(FOOTER_VERSION, 4);
  b.writeUInt16BE(f.framesPerBlock, 6);
  b.writeUInt32BE(f.blocks, 8);
  b.writeUInt16BE(f.delay, 12);
  b.writeBigUInt64BE(BigInt(f.oggLength), 16);
  b.writeBigUInt64BE(BigInt(f.samples), 24);
  return b;
}

/** Parses and checks a footer against the plaintext size it ends. */
export function decodeFooter(bytes: Uint8Array, plainSize: number): OpusFooter {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => fail(MediaErrors.OPUS_INDEX, `bad Opus footer: ${why}`);
  if (b.length !== FOOTER_BYTES || b.toString('latin1', 0, 4) !== FOOTER_MAGIC) throw bad('magic');
  if (b.readUInt8(4) !== FOOTER_VERSION) throw bad(`unsupported version ${b.readUInt8(4)}`);
  const f: OpusFooter = {
    framesPerBlock: b.readUInt16BE(6),
    blocks: b.readUInt32BE(8),
    delay: b.readUInt16BE(12),
    oggLength: Number(b.readBigUInt64BE(16)),
    samples: Number(b.readBigUInt64BE(24)),
  };
  if (f.framesPerBlock !== FRAMES_PER_BLOCK) throw bad('frames per block');
  if (f.oggLength + f.blocks * INDEX_ENTRY_BYTES + FOOTER_BYTES !== plainSize) throw bad('sizes');
  const frames = Math.max(1, Math.ceil((f.samples + f.delay) / FRAME_SAMPLES));
  if (f.blocks !== Math.ceil(frames / FRAMES_PER_BLOCK)) throw bad('block count');
  return f;
}

export function decodeIndex(bytes: Uint8Array, f: OpusFooter): number[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length !== f.blocks * INDEX_ENTRY_BYTES) throw fail(MediaErrors.OPUS_INDEX, 'index size');
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < f.blocks; i++) {
    const at = Number(b.readBigUInt64BE(i * INDEX_ENTRY_BYTES));
    if (at <= prev || at >= f.oggLength)
      throw fail(MediaErrors.OPUS_INDEX, 'index entries out of order', { block: i });
    out.push((prev = at));
  }
  return out;
}

/** Frames the encoder runs for `samples` per channel: the look-ahead is flushed with silence. */
export function framesFor(samples: number, delay: number): number {
  return Math.max(1, Math.ceil((samples + delay) / FRAME_SAMPLES));
}

/**
 * Encodes interleaved stereo µ-law (channel 0 agent, 1 customer) into the indexed Ogg Opus layout,
 * incrementally: `push` and `finish` return the bytes ready so far, to append in order.
 */
export class IndexedOpusWriter {
  readonly #enc: StereoOpusEncoder;
  readonly #serial: number;
  readonly #frame: [Int16Array, Int16Array] = [new Int16Array(FRAME_SAMPLES), new Int16Array(FRAME_SAMPLES)];
  #fill = 0;
  #carry = -1;
  #samples = 0;
  #frames = 0;
  #sequence = 0;
  #oggLength = 0;
  #page: Buffer[] = [];
  #pageSegments = 0;
  readonly #index: number[] = [];
  #out: Buffer[] = [];

  readonly #maxSegments: number;

  /**
   * `serial`: the Ogg stream serial number. `maxPageSegments` (default and at most 255) only lets a test
   * reach the case of a block spread over several pages, which needs huge packets otherwise.
   */
  constructor(
    o: OpusEncoderOptions & {
      readonly serial: number;
      readonly vendor?: string;
      readonly maxPageSegments?: number;
    },
  ) {
    this.#enc = new StereoOpusEncoder(o);
    this.#serial = o.serial;
    this.#maxSegments = Math.min(OGG_MAX_SEGMENTS, o.maxPageSegments ?? OGG_MAX_SEGMENTS);
    this.#emit(OGG_BOS, 0, [opusHead(this.#enc.lookahead * GRANULE_PER_SAMPLE)]);
    this.#emit(0, 0, [opusTags(o.vendor ?? 'ecoute')]);
  }

  /** Samples per channel taken so far. */
  get samples(): number {
    return this.#samples;
  }

  /** Bytes of Ogg pages produced so far. */
  get oggLength(): number {
    return this.#oggLength;
  }

  push(ulawStereo: Uint8Array): Buffer[] {
    const src = ulawStereo;
    let i = 0;
    if (this.#carry >= 0 && src.length > 0) {
      this.#put(this.#carry, src[0] as number, 1);
      this.#carry = -1;
      i = 1;
    }
    const [fa, fc] = this.#frame;
    while (i + 1 < src.length) {
      const n = Math.min(FRAME_SAMPLES - this.#fill, (src.length - i) >> 1);
      for (let k = this.#fill, end = this.#fill + n; k < end; k++, i += 2) {
        fa[k] = ULAW_TO_LINEAR[src[i] as number] as number;
        fc[k] = ULAW_TO_LINEAR[src[i + 1] as number] as number;
      }
      this.#put(-1, -1, n);
    }
    if (i < src.length) this.#carry = src[i] as number;
    return this.#take();
  }

  /**
   * Encodes the look-ahead out with silence, closes the stream (EOS page whose granule trims the padding,
   * RFC 7845 §4.5), then appends the index and the footer. A trailing half sample (odd byte) is dropped.
   */
  finish(): Buffer[] {
    const samples = this.#samples;
    const delay = this.#enc.lookahead;
    const frames = framesFor(samples, delay);
    while (this.#frames < frames) {
      this.#frame[0].fill(0, this.#fill);
      this.#frame[1].fill(0, this.#fill);
      this.#fill = FRAME_SAMPLES;
      this.#encodeFrame();
    }
    this.#flushPage(OGG_EOS, delay * GRANULE_PER_SAMPLE + samples * GRANULE_PER_SAMPLE);
    const index = Buffer.alloc(this.#index.length * INDEX_ENTRY_BYTES);
    this.#index.forEach((at, i) => index.writeBigUInt64BE(BigInt(at), i * INDEX_ENTRY_BYTES));
    const footer = encodeFooter({
      blocks: this.#index.length,
      framesPerBlock: FRAMES_PER_BLOCK,
      delay,
      oggLength: this.#oggLength,
      samples,
    });
    this.#out.push(index, footer);
    return this.#take();
  }

  #take(): Buffer[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  /** Counts `n` samples written into the frame (first writing one pair, if given); encodes a full frame. */
  #put(agent: number, customer: number, n: number): void {
    if (agent >= 0) {
      this.#frame[0][this.#fill] = ULAW_TO_LINEAR[agent] as number;
      this.#frame[1][this.#fill] = ULAW_TO_LINEAR[customer] as number;
    }
    this.#fill += n;
    this.#samples += n;
    if (this.#fill === FRAME_SAMPLES) this.#encodeFrame();
  }

  #encodeFrame(): void {
    const packet = this.#enc.encode(this.#frame[0], this.#frame[1]);
    this.#fill = 0;
    const first = this.#frames % FRAMES_PER_BLOCK === 0;
    const segments = segmentsOf(packet.length);
    // A block starts a page; a page too full for the next packet is closed early (same block, next page).
    if (this.#page.length > 0 && (first || this.#pageSegments + segments > this.#maxSegments))
      this.#flushPage(0, this.#frames * FRAME_SAMPLES * GRANULE_PER_SAMPLE);
    if (first) this.#index.push(this.#oggLength);
    this.#page.push(packet);
    this.#pageSegments += segments;
    this.#frames++;
  }

  #flushPage(headerType: number, granule: number): void {
    this.#emit(headerType, granule, this.#page);
    this.#page = [];
    this.#pageSegments = 0;
  }

  #emit(headerType: number, granule: number, packets: readonly Uint8Array[]): void {
    const page = buildPage({
      headerType,
      granule,
      serial: this.#serial,
      sequence: this.#sequence++,
      packets,
    });
    this.#oggLength += page.length;
    this.#out.push(page);
  }
}

/** The packets of the pages in `ogg` (whole pages, as the index delimits them), in order. */
export function packetsOf(ogg: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (const page of pagesOf(ogg)) out.push(...page.packets);
  return out;
}

/**
 * Decodes one block into interleaved stereo µ-law (2 bytes per sample pair), after resetting `dec` and
 * priming it with `preroll` (the previous block's last packets, output discarded).
 */
export function decodeBlock(
  dec: StereoOpusDecoder,
  preroll: readonly Buffer[],
  packets: readonly Buffer[],
): Buffer {
  dec.reset();
  for (const p of preroll) dec.decode(p);
  const out = Buffer.allocUnsafe(packets.length * FRAME_SAMPLES * 2);
  let at = 0;
  for (const p of packets) {
    const [a, c] = dec.decode(p);
    if (a.length !== FRAME_SAMPLES || c.length !== FRAME_SAMPLES)
      throw fail(MediaErrors.OPUS_FRAMING, 'decoded frame is not 20 ms', { samples: a.length });
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      out[at++] = LINEAR_TO_ULAW[(a[i] as number) + 32768] as number;
      out[at++] = LINEAR_TO_ULAW[(c[i] as number) + 32768] as number;
    }
  }
  return out;
}
