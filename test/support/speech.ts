/**
 * Spoken test audio: espeak-ng speaks a sentence, sox makes it 8 kHz mono PCM16 (DEPENDENCIES.md).
 * Undefined when either tool is missing; callers fall back to `speechLike` noise and say so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav, wavSamples } from '../../src/media/wav.ts';
import { tempDir } from './tmp.ts';

let available: boolean | undefined;

export function speechAvailable(): boolean {
  available ??= ['espeak-ng', 'sox'].every(
    (c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).error === undefined,
  );
  return available;
}

export function speak(text: string, voice = 'fr'): Int16Array | undefined {
  if (!speechAvailable()) return undefined;
  const tmp = tempDir('ecoute-speech-');
  try {
    const raw = join(tmp.path, 'raw.wav');
    const out = join(tmp.path, 'out.wav');
    execFileSync('espeak-ng', ['-v', voice, '-w', raw, text]);
    execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', out]);
    return wavSamples(readWav(readFileSync(out)));
  } finally {
    tmp.remove();
  }
}
