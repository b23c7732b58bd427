import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { encodeBlock, liveContext } from './live.wire.ts';
import { openSealed, SEALED_OVERHEAD, Sealer } from './sealed.wire.ts';
import { toneBlock } from './testing.ts';

const key = randomBytes(32);
const FORGED = { code: 'ECOUTE_CLUSTER_MESSAGE_FORGED' };

test('R-SEC-4: a sealed block opens to the same bytes, numbered, timed, and holds no audio in clear', () => {
  const s = new Sealer(key);
  const block = encodeBlock(toneBlock(3));
  const one = s.seal(liveContext('c1'), 1_700_000_000_123, block);
  const two = s.seal(liveContext('c1'), 1_700_000_000_223, block);
  assert.equal(one.length, block.length + SEALED_OVERHEAD);
  const opened = openSealed(key, liveContext('c1'), one);
  assert.deepEqual(
    [opened.seq, opened.at, Buffer.from(opened.plaintext).equals(block)],
    [1, 1_700_000_000_123, true],
  );
  assert.equal(openSealed(key, liveContext('c1'), two).seq, 2, 'strictly increasing');
  const tone = Buffer.from(block.subarray(300, 332));
  assert.ok(Buffer.from(block).includes(tone) && !Buffer.from(one).includes(tone));
  assert.ok(!Buffer.from(two).equals(Buffer.from(one)), 'the same audio seals differently');
});

test('R-SEC-4: a message does not open with another key, for another call, truncated, or in clear', () => {
  const sealed = new Sealer(key).seal(liveContext('c1'), 1, encodeBlock(toneBlock(0)));
  assert.throws(() => openSealed(randomBytes(32), liveContext('c1'), sealed), FORGED);
  assert.throws(() => openSealed(key, liveContext('c2'), sealed), FORGED, 'moved to another call');
  assert.throws(() => openSealed(key, 'ecoute.calls.live', sealed), FORGED, 'moved to another subject');
  assert.throws(() => openSealed(key, liveContext('c1'), sealed.subarray(0, sealed.length - 1)), FORGED);
  assert.throws(() => openSealed(key, liveContext('c1'), encodeBlock(toneBlock(0))), FORGED);
});

test('R-SEC-4: any single bit changed anywhere (header, nonce, audio, tag) is refused', () => {
  const sealed = new Sealer(key).seal(liveContext('c1'), 1, encodeBlock(toneBlock(0, 80)));
  fc.assert(
    fc.property(fc.nat(sealed.length * 8 - 1), (bit) => {
      const changed = Uint8Array.from(sealed);
      changed[bit >> 3] = (changed[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      assert.throws(() => openSealed(key, liveContext('c1'), changed), FORGED);
    }),
    { numRuns: 500 },
  );
});

test('arbitrary bytes never crash openSealed: a typed error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
      assert.throws(() => openSealed(key, 'x', bytes), FORGED);
    }),
  );
});

test('nonces: never repeated by one sealer, and each sealer (process) starts from its own random prefix', () => {
  const nonce = (m: Uint8Array) => Buffer.from(m.subarray(20, 32)).toString('hex');
  const s = new Sealer(key);
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) seen.add(nonce(s.seal('x', 0, new Uint8Array(1))));
  assert.equal(seen.size, 20_000);
  const prefixes = new Set(
    Array.from({ length: 200 }, () => nonce(new Sealer(key).seal('x', 0, new Uint8Array(1))).slice(0, 16)),
  );
  assert.equal(prefixes.size, 200);
});
