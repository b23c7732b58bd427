import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { cryptoRng, drawValue, replayRng, seededRng } from './random.ts';

test('R-PUR-4: a draw value is the first 53 bits of HMAC-SHA-256(seed, "ecoute-draw") / 2^53', () => {
  const seed = '00112233445566778899aabbccddeeff';
  const mac = createHmac('sha256', seed).update('ecoute-draw').digest();
  const expected = Number(mac.readBigUInt64BE(0) >> 11n) / 2 ** 53;
  assert.equal(drawValue(seed), expected);
});

test('R-PUR-4: cryptoRng gives a fresh 128-bit seed per draw and values in [0, 1)', () => {
  const rng = cryptoRng();
  const seeds = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const d = rng.draw();
    assert.match(d.seed, /^[0-9a-f]{32}$/);
    assert.ok(d.value >= 0 && d.value < 1);
    seeds.add(d.seed);
  }
  assert.equal(seeds.size, 1000);
});

test('R-PUR-4: replayRng(seed) gives back the stored value', () => {
  const d = cryptoRng().draw();
  assert.deepEqual(replayRng(d.seed).draw(), d);
});

test('R-PUR-4: seededRng is a deterministic sequence whose draws replay', () => {
  const a = seededRng('bench');
  const b = seededRng('bench');
  const xs = [a.draw(), a.draw(), a.draw()];
  assert.deepEqual([b.draw(), b.draw(), b.draw()], xs);
  assert.notEqual(xs[0]!.value, xs[1]!.value);
  for (const d of xs) assert.equal(replayRng(d.seed).draw().value, d.value);
});
