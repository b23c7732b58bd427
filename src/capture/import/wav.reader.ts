/**
 * A WAV reader for imported PBX recordings (Asterisk MixMonitor, FreeSWITCH record_session): RIFF/WAVE
 * with PCM16 (format 1), A-law (6), µ-law (7) or WAVE_FORMAT_EXTENSIBLE around them; 1 or 2 channels;
 * 8 kHz, or 16 kHz decimated to 8 kHz. Pure: bytes in, planes of PCM16 at 8 kHz out.
 */
import { decodeG711 } from '../../media/g711.ts';
import { fail } from '../../errors.ts';
import { Decimator2 } from '../fork/decimator.ts';
import { ImportErrors } from './errors.ts';

export interface WavAudio {
  /** One plane per channel, PCM16 at 8 kHz. */
  readonly planes: readonly Int16Array[];
  /** The encoding found in the file. */
  readonly encoding: 'pcm16' | 'alaw' | 'ulaw';
  /** The file's own rate, before any decimation. */
  readonly sourceRateHz: number;
  readonly durationMs: number;
}

const FORMATS: Readonly<Record<number, WavAudio['encoding']>> = { 1: 'pcm16', 6: 'alaw', 7: 'ulaw' };

export function readWav(bytes: Uint8Array, name = 'file'): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw fail(ImportErrors.WAV_INVALID, `${name}: not a RIFF/WAVE file`, { file: name });
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (id === 'fmt ' && body.length >= 16) {
      const b = new DataView(body.buffer, body.byteOffset, body.byteLength);
      let format = b.getUint16(0, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the SubFormat GUID.
      if (format === 0xfffe && body.length >= 26) format = b.getUint16(24, true);
      fmt = {
        format,
        channels: b.getUint16(2, true),
        rate: b.getUint32(4, true),
        bits: b.getUint16(14, true),
      };
    } else if (id === 'data') {
      data = body; // a truncated last chunk (recorder killed mid-call) is read as far as it goes
    }
    at += 8 + size + (size % 2); // chunks are word-aligned (RIFF)
  }
  if (!fmt || !data) throw fail(ImportErrors.WAV_INVALID, `${name}: no fmt or data chunk`, { file: name });
  const encoding = FORMATS[fmt.format];
  const bitsOk = encoding === 'pcm16' ? fmt.bits === 16 : fmt.bits === 8;
  if (
    !encoding ||
    !bitsOk ||
    fmt.channels < 1 ||
    fmt.channels > 2 ||
    (fmt.rate !== 8000 && fmt.rate !== 16000)
  ) {
    throw fail(
      ImportErrors.WAV_UNSUPPORTED,
      `${name}: format ${fmt.format}, ${fmt.bits} bits, ${fmt.channels} channels at ${fmt.rate} Hz is not supported`,
      { file: name, ...fmt },
    );
  }
  const samples = decodeSamples(encoding, data);
  const frames = Math.floor(samples.length / fmt.channels);
  let planes: Int16Array[] = Array.from({ length: fmt.channels }, (_, c) => {
    const p = new Int16Array(frames);
    for (let f = 0; f < frames; f++) p[f] = samples[f * fmt.channels + c] as number;
    return p;
  });
  if (fmt.rate === 16000) planes = planes.map((p) => new Decimator2().process(p));
  const length = planes[0]?.length ?? 0;
  return { planes, encoding, sourceRateHz: fmt.rate, durationMs: (length * 1000) / 8000 };
}

function decodeSamples(encoding: WavAudio['encoding'], data: Uint8Array): Int16Array {
  if (encoding === 'pcm16') {
    const out = new Int16Array(data.length >> 1);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < out.length; i++) out[i] = dv.getInt16(i * 2, true);
    return out;
  }
  const out = new Int16Array(data.length);
  decodeG711(encoding === 'ulaw' ? 'pcmu' : 'pcma', data, out);
  return out;
}
