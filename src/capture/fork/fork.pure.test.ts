import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Decimator2 } from './decimator.ts';
import { parseEvent, parseMetadata } from './fork.messages.ts';

const tone = (hz: number, n: number) =>
  Int16Array.from({ length: n }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / 16000)));
const rms = (p: Int16Array) => Math.sqrt(p.reduce((s, v) => s + v * v, 0) / p.length);

test('decimator: frame boundaries do not change the output (streaming = one shot)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }), (sizes) => {
      const input = tone(
        1000,
        sizes.reduce((a, b) => a + b, 0),
      );
      const whole = new Decimator2().process(input);
      const d = new Decimator2();
      const parts: number[] = [];
      let at = 0;
      for (const s of sizes) {
        parts.push(...d.process(input.subarray(at, at + s)));
        at += s;
      }
      assert.deepEqual(Int16Array.from(parts), whole);
    }),
    { numRuns: 200 },
  );
});

test('decimator: passes the voice band, attenuates above 4 kHz by more than 30 dB', () => {
  const pass = new Decimator2().process(tone(1000, 16000)).subarray(100);
  const stop = new Decimator2().process(tone(6000, 16000)).subarray(100);
  assert.ok(rms(pass) > 0.9 * rms(tone(1000, 16000)));
  assert.ok(20 * Math.log10(rms(stop) / rms(tone(6000, 16000))) < -30, `${rms(stop)}`);
});

test('fork parsers: metadata and events, never throwing (fuzz)', () => {
  const meta = parseMetadata(
    '{"callSid":"c","sampleRate":16000,"mixType":"stereo","metadata":{"agent":"a"}}',
  );
  assert.ok(meta.ok && meta.value.sampleRate === 16000 && meta.value.parameters.agent === 'a');
  const e = parseEvent('{"event":"dtmf","dtmf":"#","duration":"1600"}');
  assert.ok(e.ok && e.value.digit === '#');
  fc.assert(
    fc.property(
      fc.oneof(fc.string(), fc.json()),
      (t) => typeof parseMetadata(t).ok === 'boolean' && typeof parseEvent(t).ok === 'boolean',
    ),
    { numRuns: 500 },
  );
});
