/** The Ogg parser against pages written by libogg (opusenc from opus-tools): CRC, lacing, OpusHead. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { opusToolsAvailable } from '../../test/support/opus-tools.ts';
import { OGG_BOS, OGG_EOS, pagesOf } from './ogg.ts';
import { parseOpusHead } from './opus.ts';
import { sine } from './tones.ts';
import { writeWav } from './wav.ts';

test('pages written by opusenc (libogg) parse with their CRCs, and their OpusHead reads back', (t) => {
  if (!opusToolsAvailable()) return t.skip('opus-tools missing');
  const tmp = tempDir();
  t.after(tmp.remove);
  const wav = join(tmp.path, 'in.wav');
  const out = join(tmp.path, 'out.opus');
  const tone = sine(440, 3000, 8000);
  const stereo = new Int16Array(tone.length * 2);
  tone.forEach((v, i) => ((stereo[2 * i] = v), (stereo[2 * i + 1] = v >> 1)));
  writeFileSync(wav, writeWav({ format: 'pcm16', channels: 2, sampleRate: 8000, data: stereo }));
  // A high bitrate makes packets longer than 255 bytes: lacing runs of 255 are exercised too.
  execFileSync('opusenc', ['--quiet', '--bitrate', '256', wav, out]);
  const pages = [...pagesOf(readFileSync(out))];
  assert.ok(pages.length >= 3);
  assert.equal(pages[0]!.headerType & OGG_BOS, OGG_BOS);
  assert.equal(pages[pages.length - 1]!.headerType & OGG_EOS, OGG_EOS);
  const head = parseOpusHead(pages[0]!.packets[0]!);
  assert.equal(head.channels, 2);
  assert.equal(head.inputRate, 8000);
  assert.ok(
    pages.some((p) => p.packets.some((k) => k.length > 255)),
    'some packet spans several segments',
  );
  let seq = 0;
  for (const p of pages) assert.equal(p.sequence, seq++);
});
