/**
 * Generated two-channel calls with known ground truth, for golden tests and the benchmark (a fake only
 * in the sense that the audio is synthetic; it goes through real µ-law quantisation like a call does).
 */
import { decodeG711, encodeG711 } from '../media/g711.ts';
import { sine, speechLike } from '../media/tones.ts';

export interface Burst {
  readonly channel: 0 | 1;
  readonly startMs: number;
  readonly endMs: number;
  /** `tone` (a 440 Hz + 1 kHz pair) or `speech` (tones.ts speechLike). */
  readonly kind?: 'tone' | 'speech';
  readonly amplitude?: number;
}

/** Interleaved PCM16 stereo at 8 kHz: line noise at about −60 dBFS plus the bursts, through µ-law. */
export function syntheticCall(durationMs: number, bursts: readonly Burst[], seed = 7): Int16Array {
  const n = (durationMs * 8000) / 1000;
  const pcm = new Int16Array(n * 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < pcm.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    pcm[i] = ((x >>> 0) % 61) - 30; // uniform ±30: about −64 dBFS RMS
  }
  for (const [k, b] of bursts.entries()) {
    const ms = b.endMs - b.startMs;
    const amp = b.amplitude ?? 6000;
    const hi = sine(1000, ms, amp / 2);
    const sig =
      b.kind === 'tone'
        ? sine(440, ms, amp / 2).map((v, i) => v + (hi[i] as number))
        : speechLike(ms, 110 + 40 * b.channel, k + 1, amp);
    const at = (b.startMs * 8000) / 1000;
    for (let i = 0; i < sig.length && at + i < n; i++) {
      const j = (at + i) * 2 + b.channel;
      pcm[j] = Math.max(-32768, Math.min(32767, (pcm[j] as number) + (sig[i] as number)));
    }
  }
  const law = new Uint8Array(pcm.length);
  encodeG711('pcmu', pcm, law);
  decodeG711('pcmu', law, pcm);
  return pcm;
}
