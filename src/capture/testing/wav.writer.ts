/** Writes RIFF/WAVE files (PCM16, µ-law or A-law; interleaved planes). Used by the test sink and tests. */
import { encodeG711 } from '../../media/g711.ts';

export function encodeWav(
  planes: readonly Int16Array[],
  options: { rateHz?: number; encoding?: 'pcm16' | 'ulaw' | 'alaw' } = {},
): Uint8Array {
  const rate = options.rateHz ?? 8000;
  const encoding = options.encoding ?? 'pcm16';
  const channels = planes.length;
  const frames = Math.max(0, ...planes.map((p) => p.length));
  const interleaved = new Int16Array(frames * channels);
  planes.forEach((p, c) => {
    for (let f = 0; f < p.length; f++) interleaved[f * channels + c] = p[f] as number;
  });
  const bytesPerSample = encoding === 'pcm16' ? 2 : 1;
  const dataLen = interleaved.length * bytesPerSample;
  const out = new Uint8Array(44 + dataLen);
  const dv = new DataView(out.buffer);
  const ascii = (at: number, s: string) => out.set(Buffer.from(s, 'ascii'), at);
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + dataLen, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, encoding === 'pcm16' ? 1 : encoding === 'alaw' ? 6 : 7, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, rate * channels * bytesPerSample, true);
  dv.setUint16(32, channels * bytesPerSample, true);
  dv.setUint16(34, bytesPerSample * 8, true);
  ascii(36, 'data');
  dv.setUint32(40, dataLen, true);
  if (encoding === 'pcm16') {
    for (let i = 0; i < interleaved.length; i++) dv.setInt16(44 + i * 2, interleaved[i] as number, true);
  } else {
    encodeG711(encoding === 'ulaw' ? 'pcmu' : 'pcma', interleaved, out, 44);
  }
  return out;
}
