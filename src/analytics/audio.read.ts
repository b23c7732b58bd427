/**
 * Reads a sealed recording's plaintext ('pcmu/8000/2') from the vault into interleaved PCM16, in slices
 * so a long call never needs its µ-law and PCM copies at once beyond one slice.
 */
import { decodeG711 } from '../media/g711.ts';
import { fail } from '../errors.ts';
import { AnalyticsErrors } from './errors.ts';

/** The part of the vault the analytics read (src/vault Vault satisfies it). */
export interface AudioVault {
  openReader(recordingId: string): Promise<{
    readonly size: number;
    readonly format: string;
    read(start: number, endExclusive: number): Promise<Uint8Array>;
    close(): void;
  }>;
}

const SLICE = 16_000 * 10; // 10 s of stereo µ-law

export async function readStereoPcm(vault: AudioVault, recordingId: string): Promise<Int16Array> {
  const r = await vault.openReader(recordingId);
  try {
    if (r.format !== 'pcmu/8000/2')
      throw fail(AnalyticsErrors.NOT_ANALYSABLE, 'not stereo µ-law', { recordingId, format: r.format });
    const size = r.size - (r.size % 2);
    const pcm = new Int16Array(size);
    for (let at = 0; at < size; at += SLICE) {
      const bytes = await r.read(at, Math.min(size, at + SLICE));
      decodeG711('pcmu', bytes, pcm, at);
    }
    return pcm;
  } finally {
    r.close();
  }
}
