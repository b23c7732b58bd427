import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTalk, channelSpans } from './talk.analytics.ts';
import { syntheticCall, type Burst } from './testing.ts';
import type { Span } from './vad.ts';

const TOL = 50;

function assertSpans(actual: readonly Span[], expected: readonly Span[]): void {
  assert.equal(actual.length, expected.length, JSON.stringify(actual));
  for (const [i, e] of expected.entries()) {
    const a = actual[i] as Span;
    assert.ok(Math.abs(a.startMs - e.startMs) < TOL, `start ${a.startMs} vs ${e.startMs}`);
    assert.ok(Math.abs(a.endMs - e.endMs) < TOL, `end ${a.endMs} vs ${e.endMs}`);
  }
}

// A 30 s call: agent talks, customer answers, the customer cuts in at 12.6 s, a 6 s silence, both close.
const BURSTS: Burst[] = [
  { channel: 0, startMs: 1000, endMs: 4000, kind: 'tone' },
  { channel: 1, startMs: 4500, endMs: 9000, kind: 'tone', amplitude: 3000 },
  { channel: 0, startMs: 9500, endMs: 13_000, kind: 'tone' },
  { channel: 1, startMs: 12_600, endMs: 15_000, kind: 'tone' },
  { channel: 0, startMs: 21_000, endMs: 24_000, kind: 'speech' },
  { channel: 1, startMs: 25_000, endMs: 27_500, kind: 'speech' },
];

describe('talk analytics (golden, generated audio)', () => {
  const pcm = syntheticCall(30_000, BURSTS);

  it('finds every talk boundary within 50 ms on tones and speech-like bursts', () => {
    const [agent, customer] = channelSpans(pcm, []);
    const exp = (c: 0 | 1) =>
      BURSTS.filter((b) => b.channel === c).map((b) => ({ startMs: b.startMs, endMs: b.endMs }));
    assertSpans(agent, exp(0));
    assertSpans(customer, exp(1));
  });

  it('computes talk, silence, overtalk, interruptions and ratio from those boundaries', () => {
    const a = analyseTalk(pcm, []);
    assert.ok(Math.abs(a.agent.talkMs - 9500) <= 100, String(a.agent.talkMs));
    assert.ok(Math.abs(a.customer.talkMs - 9400) <= 100, String(a.customer.talkMs));
    assert.equal(a.overtalkCount, 1);
    assert.ok(Math.abs(a.overtalkMs - 400) <= 50, String(a.overtalkMs));
    assert.equal(a.customer.interruptions, 1);
    assert.equal(a.agent.interruptions, 0);
    assert.ok(Math.abs(a.longestSilenceMs - 6000) <= 50, String(a.longestSilenceMs));
    assert.equal(a.holdGaps.count, 0);
    assert.ok(a.talkRatio !== null && Math.abs(a.talkRatio - 0.503) < 0.01);
    assert.equal(a.analysedMs, 30_000);
  });

  it('R-PCI-1: paused spans are not analysed: loud audio there is neither talk nor silence', () => {
    const loud = syntheticCall(20_000, [
      { channel: 0, startMs: 1000, endMs: 3000, kind: 'tone' },
      { channel: 1, startMs: 5000, endMs: 15_000, kind: 'tone' },
    ]);
    const a = analyseTalk(loud, [
      { kind: 'recorded', startMs: 0, endMs: 5000 },
      { kind: 'paused', startMs: 5000, endMs: 15_000 },
      { kind: 'recorded', startMs: 15_000, endMs: 20_000 },
    ]);
    assert.equal(a.customer.talkMs, 0);
    assert.equal(a.analysedMs, 10_000);
    assert.deepEqual(a.paused, { count: 1, totalMs: 10_000 });
    // Silence on either side of the pause is not joined across it.
    assert.ok(a.longestSilenceMs <= 5000 + 20, String(a.longestSilenceMs));
  });

  it('a long mutual silence counts as a hold gap', () => {
    const a = analyseTalk(
      syntheticCall(24_000, [
        { channel: 0, startMs: 1000, endMs: 3000 },
        { channel: 1, startMs: 18_000, endMs: 20_000 },
      ]),
      [],
    );
    assert.equal(a.holdGaps.count, 1);
    assert.ok(Math.abs(a.holdGaps.totalMs - 15_000) <= 50);
  });

  it('the speech-rate proxy counts about four syllable nuclei per second on 4 Hz modulated speech', () => {
    const a = analyseTalk(
      syntheticCall(12_000, [{ channel: 0, startMs: 1000, endMs: 11_000, kind: 'speech' }]),
      [],
    );
    assert.ok(
      a.agent.syllablesPerSecond > 2.5 && a.agent.syllablesPerSecond < 5.5,
      String(a.agent.syllablesPerSecond),
    );
  });
});
