import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtmfDetector } from './dtmf.detector.ts';
import { DtmfMasker } from './dtmf.masker.ts';
import { toneRatio } from './goertzel.ts';
import { concat, dtmfTone, mix, silence, sine, speechLike } from './tones.ts';
import { DTMF_COLS, DTMF_ROWS } from './dtmf.detector.ts';

function detect(signal: Int16Array, chunk = 160): string[] {
  const digits: string[] = [];
  const d = new DtmfDetector({ onStart: (digit) => digits.push(digit) });
  for (let i = 0; i < signal.length; i += chunk) d.push(signal, i, Math.min(signal.length, i + chunk));
  d.flush();
  return digits;
}

test('R-PCI-2: every DTMF key is detected once, at 50 ms and at a low level', () => {
  for (const key of '0123456789*#ABCD') {
    assert.deepEqual(detect(concat(silence(30), dtmfTone(key, 50, 1500), silence(50))), [key], key);
  }
});

test('R-PCI-2: a sequence of digits with 40 ms gaps is detected in order, with twist and noise', () => {
  const parts: Int16Array[] = [];
  for (const k of '4970') parts.push(mix(sine(0, 0), dtmfTone(k, 70, 5000)), silence(40));
  const twisted = mix(sine(941, 80, 6000), sine(1336, 80, 3000)); // '0' with 6 dB twist
  const noisy = mix(dtmfTone('5', 80, 5000), speechLike(80, 130, 3, 800));
  assert.deepEqual(detect(concat(...parts, twisted, silence(40), noisy, silence(40))), [
    '4',
    '9',
    '7',
    '0',
    '0',
    '5',
  ]);
});

test('R-PCI-2: speech-like audio, single tones and too-short bursts do not trigger the detector', () => {
  for (let seed = 1; seed <= 6; seed++)
    assert.deepEqual(detect(speechLike(2000, 90 + seed * 25, seed)), [], `speech ${seed}`);
  for (const f of [...DTMF_ROWS, ...DTMF_COLS, 350, 440, 1000, 2100])
    assert.deepEqual(detect(sine(f, 500)), [], `${f} Hz`);
  assert.deepEqual(detect(mix(sine(350, 500), sine(440, 500))), [], 'dial tone');
  assert.deepEqual(detect(concat(dtmfTone('1', 20), silence(100))), [], '20 ms burst');
  assert.deepEqual(detect(sine(697, 500, 30)), [], 'quiet tone');
});

function dtmfEnergy(signal: Int16Array): number {
  let worst = 0;
  for (let i = 0; i + 160 <= signal.length; i += 40) {
    let e = 0;
    for (let j = i; j < i + 160; j++) e += (signal[j] as number) ** 2;
    if (e / 160 < 100) continue; // near-silent frames carry no tone worth measuring
    for (const f of [...DTMF_ROWS, ...DTMF_COLS])
      worst = Math.max(worst, toneRatio(signal, i, 160, f) * Math.sqrt(e / 160));
  }
  return worst;
}

test('R-PCI-2: the masker leaves no DTMF energy (Goertzel after masking) and keeps the voice around it', () => {
  const voice = sine(300, 400, 4000);
  const input = concat(voice, dtmfTone('8', 120, 7000), voice, dtmfTone('#', 45, 7000), voice, silence(100));
  assert.ok(dtmfEnergy(input) > 1000, 'the test signal carries DTMF');
  const out = Int16Array.from(input);
  const digits: string[] = [];
  const masked: [number, number][] = [];
  const m = new DtmfMasker({ onDigit: (d) => digits.push(d), onMasked: (a, b) => masked.push([a, b]) });
  for (let i = 0; i < out.length; i += 800) m.process(out, i, Math.min(out.length, i + 800));
  m.flush();
  const delay = m.delaySamples;
  const aligned = out.subarray(delay); // output lags the input by the delay line
  assert.deepEqual(digits, ['8', '#']);
  assert.ok(dtmfEnergy(aligned) < 50, `DTMF energy left: ${dtmfEnergy(aligned)}`);
  assert.equal(detect(aligned).length, 0);
  // Voice well away from the tones is untouched.
  for (let i = 800; i < 2400; i++) assert.equal(aligned[i], input[i]);
  assert.ok(masked.length >= 2);
});
