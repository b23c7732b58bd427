import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DtmfDetector } from './dtmf.detector.ts';
import { DtmfMasker } from './dtmf.masker.ts';
import { goertzelPower, toneRatio } from './goertzel.ts';
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

/**
 * The detector's definition, one Goertzel run over each whole window: the reference the streaming
 * detector (sub-blocks, lazy bins, column gate) must match event for event.
 */
function referenceEvents(signal: Int16Array, win: number, hop: number): string[] {
  const minFrames = Math.max(1, Math.ceil((40 * 8 - win) / hop) + 1);
  const events: string[] = [];
  let runKey = -1;
  let runFrames = 0;
  let runStart = 0;
  let runEnd = 0;
  let confirmed = false;
  const keyOf = (k: number): string => '123A456B789C*0#D'[k] as string;
  const frame = (key: number, start: number): void => {
    if (key >= 0 && key === runKey) {
      runFrames++;
      runEnd = start + win;
      if (!confirmed && runFrames >= minFrames) {
        confirmed = true;
        events.push(`start ${keyOf(key)} ${runStart}`);
      }
      return;
    }
    if (confirmed) events.push(`end ${keyOf(runKey)} ${runEnd}`);
    confirmed = key >= 0 && minFrames <= 1;
    [runKey, runFrames, runStart, runEnd] = [key, key >= 0 ? 1 : 0, start, start + win];
    if (confirmed) events.push(`start ${keyOf(key)} ${start}`);
  };
  const argmax = (p: number[]): number => p.indexOf(Math.max(...p));
  const dominates = (p: number[], w: number): boolean =>
    p.every((v, k) => k === w || v * 10 ** 0.6 <= (p[w] as number));
  for (let start = 0; start + win <= signal.length; start += hop) {
    let e = 0;
    for (let i = start; i < start + win; i++) e += (signal[i] as number) ** 2;
    let key = -1;
    if (e >= 150 * 150 * win) {
      const rows = DTMF_ROWS.map((f) => goertzelPower(signal, start, win, f));
      const cols = DTMF_COLS.map((f) => goertzelPower(signal, start, win, f));
      const [r, c] = [argmax(rows), argmax(cols)];
      const [rp, cp] = [rows[r] as number, cols[c] as number];
      const twist = 10 ** 0.8;
      if (
        (2 * (rp + cp)) / (win * e) >= 0.7 &&
        rp <= cp * twist &&
        cp <= rp * twist &&
        dominates(rows, r) &&
        dominates(cols, c)
      )
        key = r * 4 + c;
    }
    frame(key, start);
  }
  frame(-1, signal.length);
  return events;
}

test('R-PCI-2: the streaming detector finds the digits of a whole-window Goertzel, at the same samples, whatever the chunks', () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = (n: number): number => Math.floor(rnd() * n);
  let digits = 0;
  for (const [win, hop, signals] of [
    [160, 80, 60],
    [160, 40, 10],
    [240, 80, 10],
    [205, 205, 10],
  ] as const) {
    for (let n = 0; n < signals; n++) {
      const parts: Int16Array[] = [];
      for (let k = 0; k < 6; k++) {
        const ms = 10 + pick(120);
        const amp = 100 + pick(9000);
        const key = '0123456789*#ABCD'[pick(16)] as string;
        const kind = pick(5);
        if (kind === 0) parts.push(dtmfTone(key, ms, amp));
        else if (kind === 1)
          parts.push(mix(dtmfTone(key, ms, amp), speechLike(ms, 100 + pick(100), pick(9), amp / 2)));
        else if (kind === 2) parts.push(speechLike(ms * 3, 90 + pick(150), pick(9), amp));
        else if (kind === 3)
          parts.push(mix(sine(650 + pick(1050), ms, amp), sine(300 + pick(1500), ms, pick(amp))));
        else parts.push(silence(ms));
      }
      const signal = concat(...parts);
      const got: string[] = [];
      const d = new DtmfDetector(
        {
          onStart: (digit, start) => got.push(`start ${digit} ${start}`),
          onEnd: (digit, end) => got.push(`end ${digit} ${end}`),
        },
        { windowSamples: win, hopSamples: hop },
      );
      for (let i = 0; i < signal.length;) {
        const end = Math.min(signal.length, i + 1 + pick(900));
        d.push(signal, i, end);
        i = end;
      }
      d.flush();
      const expected = referenceEvents(signal, win, hop);
      assert.deepEqual(got, expected, `window ${win}, hop ${hop}, signal ${n}`);
      digits += expected.length;
    }
  }
  assert.ok(digits > 100, `the signals hold digits (${digits} events)`);
});
