/**
 * Opus for storage: two MONO encoders (agent, customer), never one stereo encoder, whose packets are joined
 * into one Opus multistream packet per 20 ms (RFC 7845 §5.1.1, channel mapping family 1, 2 streams, none
 * coupled). A stereo encoder would let SILK's mid/side prediction carry one party into the other's channel;
 * two mono streams keep two clean lanes for the player and the analytics. CPU-only (a native codec).
 */
import { Decoder, Encoder } from '@evan/opus';
import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';

/** Ecoute stores narrowband telephone audio: 8 kHz, 20 ms frames. */
export const OPUS_RATE = 8000;
export const FRAME_SAMPLES = 160;
/** Ogg Opus granule positions count 48 kHz samples (RFC 7845 §4). */
export const GRANULE_PER_SAMPLE = 48_000 / OPUS_RATE;
const CTL_GET_LOOKAHEAD = 4027;

export interface OpusEncoderOptions {
  /** Target bits per second of EACH channel (config `vault.opusBitrate`). */
  readonly bitrate: number;
  /** 0..10 (config `vault.opusComplexity`): CPU against quality. */
  readonly complexity: number;
}

/** The TOC code (RFC 6716 §3.1): 0 = one frame. Ecoute stores only code 0 (one 20 ms frame per packet). */
function checkCode0(packet: Uint8Array, stream: number): void {
  if (packet.length < 1) throw fail(MediaErrors.OPUS_FRAMING, 'empty Opus packet', { stream });
  const code = (packet[0] as number) & 3;
  if (code !== 0)
    throw fail(MediaErrors.OPUS_FRAMING, 'Opus packet is not a single frame (TOC code 0)', { stream, code });
}

/** Bytes of the self-delimiting length of a frame of `n` bytes (RFC 6716 §3.2.1). */
function lengthBytes(n: number): number {
  return n < 252 ? 1 : 2;
}

/**
 * One multistream packet from two code-0 packets: the first in self-delimiting framing (RFC 6716
 * Appendix B: the TOC, the frame length, the frame), the last one as is (RFC 7845 §5.1.1).
 */
export function joinStreams(first: Uint8Array, last: Uint8Array): Buffer {
  checkCode0(first, 0);
  checkCode0(last, 1);
  const frame = first.length - 1;
  if (frame > 1275) throw fail(MediaErrors.OPUS_FRAMING, 'Opus frame too long', { stream: 0, frame });
  const lb = lengthBytes(frame);
  const out = Buffer.allocUnsafe(1 + lb + frame + last.length);
  out[0] = first[0] as number;
  if (lb === 1) out[1] = frame;
  else {
    out[1] = 252 + (frame & 3);
    out[2] = (frame - out[1]) >> 2;
  }
  out.set(first.subarray(1), 1 + lb);
  out.set(last, 1 + lb + frame);
  return out;
}

/** The two standard (non self-delimited) packets inside a multistream packet written by `joinStreams`. */
export function splitStreams(packet: Uint8Array): [Buffer, Buffer] {
  const b = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
  if (b.length < 2) throw fail(MediaErrors.OPUS_FRAMING, 'multistream packet too short', { stream: 0 });
  checkCode0(b, 0);
  const l0 = b[1] as number;
  let frame = l0;
  let lb = 1;
  if (l0 >= 252) {
    if (b.length < 3) throw fail(MediaErrors.OPUS_FRAMING, 'truncated frame length', { stream: 0 });
    frame = l0 + 4 * (b[2] as number);
    lb = 2;
  }
  const end = 1 + lb + frame;
  if (end >= b.length) throw fail(MediaErrors.OPUS_FRAMING, 'frame length beyond the packet', { stream: 0 });
  const first = Buffer.allocUnsafe(1 + frame);
  first[0] = b[0] as number;
  b.copy(first, 1, 1 + lb, end);
  const last = b.subarray(end);
  checkCode0(last, 1);
  return [first, last];
}

export interface OpusHead {
  readonly channels: number;
  /** Samples at 48 kHz to drop at the start: the encoder's look-ahead (RFC 7845 §4.2). */
  readonly preSkip: number;
  readonly inputRate: number;
  readonly family: number;
  readonly streams: number;
  readonly coupled: number;
  readonly mapping: readonly number[];
}

/** The identification header (RFC 7845 §5.1): 2 channels, family 1, 2 uncoupled streams, mapping [0, 1]. */
export function opusHead(preSkip: number): Buffer {
  const h = Buffer.alloc(21);
  h.write('OpusHead', 0, 'latin1');
  h.writeUInt8(1, 8); // version
  h.writeUInt8(2, 9); // channels: agent, customer
  h.writeUInt16LE(preSkip, 10);
  h.writeUInt32LE(OPUS_RATE, 12);
  h.writeInt16LE(0, 16); // output gain
  h.writeUInt8(1, 18); // channel mapping family 1 (RFC 7845 §5.1.1.2)
  h.writeUInt8(2, 19); // streams
  h.writeUInt8(0, 20); // coupled streams
  return Buffer.concat([h, Buffer.from([0, 1])]);
}

export function parseOpusHead(p: Uint8Array): OpusHead {
  const b = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  if (b.length < 19 || b.toString('latin1', 0, 8) !== 'OpusHead' || (b[8] as number) >> 4 !== 0)
    throw fail(MediaErrors.OPUS_CODEC, 'not an OpusHead packet');
  const channels = b[9] as number;
  const family = b[18] as number;
  const streams = family === 0 ? 1 : (b[19] ?? 0);
  const coupled = family === 0 ? (channels === 2 ? 1 : 0) : (b[20] ?? 0);
  const mapping = family === 0 ? [] : [...b.subarray(21, 21 + channels)];
  if (family !== 0 && mapping.length !== channels)
    throw fail(MediaErrors.OPUS_CODEC, 'OpusHead mapping table is short');
  return {
    channels,
    preSkip: b.readUInt16LE(10),
    inputRate: b.readUInt32LE(12),
    family,
    streams,
    coupled,
    mapping,
  };
}

/** The comment header (RFC 7845 §5.2): vendor string, no user comments (no personal data in the file). */
export function opusTags(vendor: string): Buffer {
  const v = Buffer.from(vendor, 'utf8');
  const t = Buffer.alloc(8 + 4 + v.length + 4);
  t.write('OpusTags', 0, 'latin1');
  t.writeUInt32LE(v.length, 8);
  v.copy(t, 12);
  t.writeUInt32LE(0, 12 + v.length);
  return t;
}

/** Two mono voip encoders at 8 kHz, VBR, 20 ms frames; one multistream packet per frame pair. */
export class StereoOpusEncoder {
  /** Encoder look-ahead in 8 kHz samples: decoded output lags the input by this much. */
  readonly lookahead: number;
  readonly #enc: [Encoder, Encoder];

  constructor(o: OpusEncoderOptions) {
    const make = (): Encoder => {
      const e = new Encoder({ channels: 1, sample_rate: OPUS_RATE, application: 'voip' });
      e.bitrate = o.bitrate;
      e.vbr = true;
      e.complexity = o.complexity as Encoder['complexity'];
      e.signal = 'voice';
      // Reduced inter-frame dependency (OPUS_SET_PREDICTION_DISABLED): random access starts fresh
      // decoders mid-stream (opus.indexed.ts). With prediction on, such a decoder started inside a steady
      // tone with gaps (a loss burst in ringback) ran away and clipped for 300 ms; with it off it follows
      // a continuous decode. Costs about 1 dB of spectral distortion on speech at 14 kbit/s.
      e.prediction_disabled = true;
      return e;
    };
    this.#enc = [make(), make()];
    this.lookahead = this.#enc[0].ctl(CTL_GET_LOOKAHEAD);
  }

  /** Encodes one 20 ms frame per channel (FRAME_SAMPLES each) into one multistream packet. */
  encode(agent: Int16Array, customer: Int16Array): Buffer {
    let a: Uint8Array;
    let c: Uint8Array;
    try {
      a = this.#enc[0].encode(agent);
      c = this.#enc[1].encode(customer);
    } catch (e) {
      throw fail(MediaErrors.OPUS_CODEC, 'the Opus encoder refused a frame', {}, e);
    }
    return joinStreams(a, c);
  }
}

/** Two mono decoders at 8 kHz for the packets `StereoOpusEncoder` writes. */
export class StereoOpusDecoder {
  readonly #dec: [Decoder, Decoder] = [
    new Decoder({ channels: 1, sample_rate: OPUS_RATE }),
    new Decoder({ channels: 1, sample_rate: OPUS_RATE }),
  ];

  /** Forgets all history: the next packet decodes as from a fresh decoder. */
  reset(): void {
    this.#dec[0].reset();
    this.#dec[1].reset();
  }

  /** Decodes one multistream packet into one frame per channel. */
  decode(packet: Uint8Array): [Int16Array, Int16Array] {
    const [p0, p1] = splitStreams(packet);
    try {
      return [pcmOf(this.#dec[0].decode(p0)), pcmOf(this.#dec[1].decode(p1))];
    } catch (e) {
      throw fail(MediaErrors.OPUS_CODEC, 'the Opus decoder refused a packet', {}, e);
    }
  }
}

/** The decoder returns fresh little-endian PCM16 bytes (a copy): view them as samples. */
function pcmOf(bytes: Uint8Array): Int16Array {
  if (bytes.byteOffset % 2 === 0)
    return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  return new Int16Array(bytes.slice().buffer);
}
