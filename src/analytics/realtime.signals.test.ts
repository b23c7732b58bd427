import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { LiveSignals, type LiveSignal } from './realtime.signals.ts';
import { syntheticCall } from './testing.ts';

/** Feeds a call in 20 ms blocks; blocks inside `pausedMs` are flagged paused (their audio is left in, to prove it is not read). */
function feed(pcm: Int16Array, pausedMs?: [number, number]): LiveSignal[] {
  const got: LiveSignal[] = [];
  const sink = new LiveSignals((s) => got.push(s));
  const frames = 160;
  for (let seq = 0; seq * frames * 2 < pcm.length; seq++) {
    const startMs = seq * 20;
    const slice = pcm.slice(seq * frames * 2, (seq + 1) * frames * 2);
    const block: StereoBlock = {
      seq,
      startSample: seq * frames,
      startMs,
      frames: slice.length / 2,
      channels: 2,
      format: 'pcmu/8000/2',
      pcmu: new Uint8Array(0),
      pcm: slice,
      buffer: slice.buffer,
      paused: pausedMs !== undefined && startMs >= pausedMs[0] && startMs < pausedMs[1],
    };
    sink.onBlock(block);
  }
  return got;
}

const kinds = (s: LiveSignal[]) => s.map((x) => x.kind);

describe('live signals', () => {
  it('a long silence is signalled once, when it reaches 8 s', () => {
    const s = feed(
      syntheticCall(14_000, [
        { channel: 0, startMs: 500, endMs: 2000 },
        { channel: 1, startMs: 12_000, endMs: 13_000 },
      ]),
    );
    assert.deepEqual(kinds(s), ['long_silence']);
    assert.ok(Math.abs((s[0]?.atMs ?? 0) - 10_000) <= 50, String(s[0]?.atMs));
  });
  it('an overtalk burst is signalled after 1.5 s of both talking, not for a short overlap', () => {
    const s = feed(
      syntheticCall(8000, [
        { channel: 0, startMs: 0, endMs: 3000, kind: 'tone' },
        { channel: 1, startMs: 2800, endMs: 3500, kind: 'tone' },
        { channel: 0, startMs: 4000, endMs: 7500, kind: 'tone' },
        { channel: 1, startMs: 5000, endMs: 7500, kind: 'tone' },
      ]),
    );
    assert.deepEqual(kinds(s), ['overtalk_burst']);
    assert.ok(Math.abs((s[0]?.atMs ?? 0) - 6500) <= 50);
  });
  it('a customer whose voice stays 12 dB above their own level for 3 s raises a signal', () => {
    const calm = feed(
      syntheticCall(12_000, [{ channel: 1, startMs: 0, endMs: 12_000, kind: 'tone', amplitude: 2000 }]),
    );
    assert.deepEqual(kinds(calm), []);
    const loud = feed(
      syntheticCall(12_000, [
        { channel: 1, startMs: 0, endMs: 5000, kind: 'tone', amplitude: 2000 },
        { channel: 1, startMs: 5000, endMs: 12_000, kind: 'tone', amplitude: 8000 },
      ]),
    );
    assert.deepEqual(kinds(loud), ['raised_level']);
    assert.ok(Math.abs((loud[0]?.atMs ?? 0) - 8000) <= 200, String(loud[0]?.atMs));
  });
  it('R-PCI-1: paused blocks are not analysed and break running episodes', () => {
    // 12 s of silence with a pause from 4 s to 8 s: no run reaches 8 s, and loud audio inside is not read.
    const pcm = syntheticCall(12_000, [
      { channel: 0, startMs: 4000, endMs: 8000, kind: 'tone' },
      { channel: 1, startMs: 4000, endMs: 8000, kind: 'tone' },
    ]);
    assert.deepEqual(kinds(feed(pcm, [4000, 8000])), []);
    assert.deepEqual(kinds(feed(pcm)), ['overtalk_burst']);
  });
  it('a listener that throws does not stop the sink', () => {
    const sink = new LiveSignals(
      () => {
        throw new Error('boom');
      },
      {},
      () => undefined,
    );
    const pcm = syntheticCall(9000, []);
    assert.doesNotThrow(() =>
      sink.onBlock({
        seq: 0,
        startSample: 0,
        startMs: 0,
        frames: pcm.length / 2,
        channels: 2,
        format: 'pcmu/8000/2',
        pcmu: new Uint8Array(0),
        pcm,
        buffer: pcm.buffer as ArrayBuffer,
        paused: false,
      }),
    );
  });
});
