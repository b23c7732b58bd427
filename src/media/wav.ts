import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';
import { alawToLinear, ulawToLinear } from './g711.ts';

/** WAV (RIFF) files: PCM 16-bit, µ-law (format 7) and A-law (format 6), mono or stereo, interleaved. */
export type WavFormat = 'pcm16' | 'pcmu' | 'pcma';

export interface Wav {
  readonly format: WavFormat;
  readonly channels: number;
  readonly sampleRate: number;
  /** Raw sample bytes (little-endian for pcm16), interleaved. */
  readonly data: Uint8Array;
}

const FORMAT_TAG: Record<WavFormat, number> = { pcm16: 1, pcma: 6, pcmu: 7 };

export function writeWav(w: {
  format: WavFormat;
  channels: number;
  sampleRate: number;
  data: Uint8Array | Int16Array;
}): Uint8Array {
  const data = w.data instanceof Int16Array ? int16ToLeBytes(w.data) : w.data;
  const bytesPerSample = w.format === 'pcm16' ? 2 : 1;
  const compressed = w.format !== 'pcm16';
  // Non-PCM formats carry cbSize and a fact chunk (RIFF spec, WAVE_FORMAT_ALAW/MULAW).
  const fmtSize = compressed ? 18 : 16;
  const factSize = compressed ? 12 : 0;
  const pad = data.length & 1;
  const total = 12 + 8 + fmtSize + factSize + 8 + data.length + pad;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let p = 0;
  const tag = (s: string): void => {
    for (let i = 0; i < 4; i++) out[p + i] = s.charCodeAt(i);
    p += 4;
  };
  tag('RIFF');
  v.setUint32(p, total - 8, true);
  p += 4;
  tag('WAVE');
  tag('fmt ');
  v.setUint32(p, fmtSize, true);
  v.setUint16(p + 4, FORMAT_TAG[w.format], true);
  v.setUint16(p + 6, w.channels, true);
  v.setUint32(p + 8, w.sampleRate, true);
  v.setUint32(p + 12, w.sampleRate * w.channels * bytesPerSample, true);
  v.setUint16(p + 16, w.channels * bytesPerSample, true);
  v.setUint16(p + 18, bytesPerSample * 8, true);
  p += 20;
  if (compressed) {
    v.setUint16(p, 0, true);
    p += 2;
    tag('fact');
    v.setUint32(p, 4, true);
    v.setUint32(p + 4, data.length / w.channels, true);
    p += 8;
  }
  tag('data');
  v.setUint32(p, data.length, true);
  p += 4;
  out.set(data, p);
  return out;
}

export function readWav(bytes: Uint8Array): Wav {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tagAt = (p: number): string => String.fromCharCode(...bytes.subarray(p, p + 4));
  if (bytes.length < 12 || tagAt(0) !== 'RIFF' || tagAt(8) !== 'WAVE') throw invalid('not a RIFF/WAVE file');
  let p = 12;
  let fmt: { format: WavFormat; channels: number; sampleRate: number } | undefined;
  while (p + 8 <= bytes.length) {
    const id = tagAt(p);
    const size = v.getUint32(p + 4, true);
    const body = p + 8;
    if (body + size > bytes.length && id !== 'data') throw invalid('chunk overruns the file');
    if (id === 'fmt ') {
      if (size < 16) throw invalid('fmt chunk too short');
      let tagValue = v.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first 16 bits of the sub-format GUID.
      if (tagValue === 0xfffe && size >= 40) tagValue = v.getUint16(body + 24, true);
      const bits = v.getUint16(body + 14, true);
      const format =
        tagValue === 1 && bits === 16
          ? 'pcm16'
          : tagValue === 6
            ? 'pcma'
            : tagValue === 7
              ? 'pcmu'
              : undefined;
      if (!format) throw invalid(`unsupported WAV format ${tagValue}/${bits} bits`);
      fmt = { format, channels: v.getUint16(body + 2, true), sampleRate: v.getUint32(body + 4, true) };
    } else if (id === 'data') {
      if (!fmt) throw invalid('data chunk before fmt chunk');
      return { ...fmt, data: bytes.subarray(body, Math.min(bytes.length, body + size)) };
    }
    p = body + size + (size & 1);
  }
  throw invalid('no data chunk');
}

/** The interleaved PCM16 samples of a WAV, decoding G.711 when needed. */
export function wavSamples(w: Wav): Int16Array {
  if (w.format === 'pcm16') {
    const out = new Int16Array(w.data.length >> 1);
    const v = new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = v.getInt16(i * 2, true);
    return out;
  }
  const dec = w.format === 'pcmu' ? ulawToLinear : alawToLinear;
  return Int16Array.from(w.data, dec);
}

/** One channel of interleaved samples. */
export function channelOf(samples: Int16Array, channels: number, channel: number): Int16Array {
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) out[i] = samples[i * channels + channel] as number;
  return out;
}

function int16ToLeBytes(s: Int16Array): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < s.length; i++) v.setInt16(i * 2, s[i] as number, true);
  return out;
}

function invalid(why: string): Error {
  return fail(MediaErrors.WAV_INVALID, why);
}
