import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alawToLinear,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
  ULAW_SILENCE,
  ALAW_SILENCE,
} from './g711.ts';

test('µ-law round-trips every code word', () => {
  for (let b = 0; b < 256; b++) {
    const back = linearToUlaw(ulawToLinear(b));
    // 0x7f and 0xff both decode to zero; everything else is exact.
    assert.equal(ulawToLinear(back), ulawToLinear(b), `code ${b}`);
  }
});

test('A-law round-trips every code word', () => {
  for (let b = 0; b < 256; b++)
    assert.equal(alawToLinear(linearToAlaw(alawToLinear(b))), alawToLinear(b), `code ${b}`);
});

test('silence code words decode to (near) zero and encoding error stays within G.711 bounds', () => {
  assert.equal(ulawToLinear(ULAW_SILENCE), 0);
  assert.ok(Math.abs(alawToLinear(ALAW_SILENCE)) <= 8);
  for (let s = -32000; s <= 32000; s += 97) {
    const eu = Math.abs(ulawToLinear(linearToUlaw(s)) - s);
    const ea = Math.abs(alawToLinear(linearToAlaw(s)) - s);
    const bound = Math.max(16, Math.abs(s) / 16);
    assert.ok(eu <= bound, `µ-law error ${eu} at ${s}`);
    assert.ok(ea <= bound, `A-law error ${ea} at ${s}`);
  }
});
