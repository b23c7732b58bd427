/**
 * Golden test on spoken audio: espeak-ng speaks a sentence, sox makes it 8 kHz mono; the clip is placed
 * at known offsets on each channel of a µ-law call. Ground truth per clip is where its own samples rise
 * above −50 dBFS (where telephone line noise ends) (measured on the clean clip, independently of the detector).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { decodeG711, encodeG711 } from '../media/g711.ts';
import { readWav, wavSamples } from '../media/wav.ts';
import { channelSpans } from './talk.analytics.ts';

function available(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function speak(text: string, dir: string, name: string): Int16Array {
  const raw = join(dir, `${name}.wav`);
  const out = join(dir, `${name}8k.wav`);
  execFileSync('espeak-ng', ['-v', 'fr', '-w', raw, text]);
  execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-b', '16', out]);
  return wavSamples(readWav(readFileSync(out)));
}

/** First and last 10 ms window above −50 dBFS, in ms. */
function truth(clip: Int16Array): [number, number] {
  const thr = 32768 * 10 ** (-50 / 20);
  let first = -1;
  let last = -1;
  for (let w = 0; w + 80 <= clip.length; w += 80) {
    let e = 0;
    for (let i = w; i < w + 80; i++) e += (clip[i] as number) ** 2;
    if (Math.sqrt(e / 80) > thr) {
      if (first < 0) first = w;
      last = w + 80;
    }
  }
  return [first / 8, last / 8];
}

const haveTools = available('espeak-ng') && available('sox');

describe(
  'VAD on spoken audio (espeak-ng + sox)',
  { skip: haveTools ? false : 'espeak-ng or sox missing' },
  () => {
    it('finds the start and end of each spoken turn within 50 ms', () => {
      const tmp = tempDir();
      try {
        const a = speak('Bonjour madame je vous appelle au sujet de votre contrat', tmp.path, 'a');
        const c = speak('Oui bien sûr je vous écoute', tmp.path, 'c');
        const total = 12 * 8000;
        const pcm = new Int16Array(total * 2);
        const place = (clip: Int16Array, ch: number, atMs: number) => {
          for (let i = 0; i < clip.length; i++) pcm[(atMs * 8 + i) * 2 + ch] = clip[i] as number;
        };
        place(a, 0, 500);
        place(c, 1, 7000);
        const law = new Uint8Array(pcm.length);
        encodeG711('pcmu', pcm, law);
        decodeG711('pcmu', law, pcm);
        const [agent, customer] = channelSpans(pcm, []);
        const [a0, a1] = truth(a);
        const [c0, c1] = truth(c);
        const first = (s: typeof agent) => s[0]?.startMs ?? NaN;
        const lastEnd = (s: typeof agent) => s[s.length - 1]?.endMs ?? NaN;
        assert.ok(Math.abs(first(agent) - (500 + a0)) < 50, `agent start ${first(agent)} vs ${500 + a0}`);
        assert.ok(Math.abs(lastEnd(agent) - (500 + a1)) < 50, `agent end ${lastEnd(agent)} vs ${500 + a1}`);
        assert.ok(
          Math.abs(first(customer) - (7000 + c0)) < 50,
          `customer start ${first(customer)} vs ${7000 + c0}`,
        );
        assert.ok(
          Math.abs(lastEnd(customer) - (7000 + c1)) < 50,
          `customer end ${lastEnd(customer)} vs ${7000 + c1}`,
        );
        // Everything detected lies inside the spoken clips.
        for (const s of agent) assert.ok(s.startMs >= 450 && s.endMs <= 550 + a1);
      } finally {
        tmp.remove();
      }
    });
  },
);
