/** Reads what a recording really holds, for tests: the vault's plaintext split into agent and customer PCM. */
import { ulawToLinear } from '../../src/media/g711.ts';
import { rms } from '../../src/media/levels.ts';
import { toneRatio } from '../../src/media/goertzel.ts';
import type { Vault } from '../../src/vault/vault.ts';

export interface Channels {
  readonly agent: Int16Array;
  readonly customer: Int16Array;
  /** Seconds per channel. */
  readonly seconds: number;
}

export async function readChannels(vault: Vault, recordingId: string): Promise<Channels> {
  const reader = await vault.openReader(recordingId);
  try {
    const bytes = await reader.read(0, reader.size);
    const n = bytes.length >> 1;
    const agent = new Int16Array(n);
    const customer = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      agent[i] = ulawToLinear(bytes[2 * i] as number);
      customer[i] = ulawToLinear(bytes[2 * i + 1] as number);
    }
    return { agent, customer, seconds: n / 8000 };
  } finally {
    reader.close();
  }
}

/** Fraction of the energy at `freq` in [fromMs, toMs) of a channel (1 = pure tone, 0 = absent or silent). */
export function toneShare(pcm: Int16Array, freq: number, fromMs: number, toMs: number): number {
  const start = Math.round(fromMs * 8);
  const n = Math.min(Math.round((toMs - fromMs) * 8), pcm.length - start);
  return n > 0 ? toneRatio(pcm, start, n, freq) : 0;
}

/** RMS level in [fromMs, toMs). */
export function levelAt(pcm: Int16Array, fromMs: number, toMs: number): number {
  const start = Math.round(fromMs * 8);
  const end = Math.min(pcm.length, Math.round(toMs * 8));
  return end > start ? rms(pcm, start, end) : 0;
}
