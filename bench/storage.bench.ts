/**
 * Storage per call-hour of stereo audio as stored (`npm run bench -- storage`): one hour of two-channel
 * 8 kHz audio appended to a real vault spool in 20 ms frames and sealed (1 s chunks, AES-256-GCM, the
 * container's headers and tags) on the filesystem store; the blob's size on disk is the figure.
 * Baseline: the same hour as a G.711 µ-law stereo WAV file (57.6 MB + 44-byte header). The target,
 * at most 15 MB per hour, needs Opus at about 32 kbit/s for both channels; today the vault stores G.711.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vaultAt } from '../src/vault/testing/vault.fixture.ts';
import { linearToUlaw } from '../src/media/g711.ts';
import type { BenchResult } from './bench.types.ts';

const MB = 1e6;

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ecoute-bench-storage-'));
  try {
    const { vault } = vaultAt(dir, { chunkMs: 1000 });
    // Speech-like content does not change G.711's size; a tone pair keeps the file honest to decode.
    const frame = Buffer.alloc(320);
    for (let i = 0; i < 160; i++) {
      frame[2 * i] = linearToUlaw(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
      frame[2 * i + 1] = linearToUlaw(Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
    }
    const w = await vault.openSpool('bench-storage-hour', { format: 'pcmu/8000/2' });
    for (let f = 0; f < 3600 * 50; f++) w.append(frame);
    const sealed = await w.finish();
    const onDisk = statSync(join(dir, 'blobs', sealed.blobKey)).size;
    const wav = 44 + 3600 * 16_000;
    return [
      {
        name: 'stored size of one call-hour, stereo (G.711 µ-law in the sealed container)',
        value: onDisk / MB,
        unit: 'MB',
        baseline: wav / MB,
        ratio: onDisk / wav,
        target: '<= 15 MB (a quarter of G.711 WAV)',
        met: onDisk / MB <= 15,
        note: `container overhead ${(((onDisk - 3600 * 16_000) / (3600 * 16_000)) * 100).toFixed(2)} % over raw µ-law; baseline: G.711 stereo WAV`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
