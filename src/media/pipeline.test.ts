import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CallMediaPipeline, type StereoBlock } from './pipeline.ts';
import type { Segment } from './timeline.ts';
import { concat, dtmfTone, sine, silence } from './tones.ts';
import { rms } from './levels.ts';
import { decodeG711, ulawToLinear } from './g711.ts';

function collect(p: CallMediaPipeline): {
  blocks: StereoBlock[];
  segments: Segment[];
  pcm: () => Int16Array;
} {
  const blocks: StereoBlock[] = [];
  const segments: Segment[] = [];
  p.addSink({ onBlock: (b) => blocks.push(b) });
  p.on('segment', (s) => segments.push(s));
  const pcm = (): Int16Array => {
    const out = new Int16Array(blocks.reduce((n, b) => n + b.pcm.length, 0));
    let at = 0;
    for (const b of blocks) {
      out.set(b.pcm, at);
      at += b.pcm.length;
    }
    return out;
  };
  return { blocks, segments, pcm };
}

/** Feeds both channels in 20 ms packets from sample 0 to `ms`, skipping packets where `skip(ch, i)`. */
function feed(
  p: CallMediaPipeline,
  ms: number,
  skip: (ch: number, at: number) => boolean = () => false,
): void {
  const a = sine(440, ms, 6000);
  const c = sine(1000, ms, 6000);
  for (let at = 0; at < a.length; at += 160) {
    if (!skip(0, at)) p.push(0, a, at, at, at + 160);
    if (!skip(1, at)) p.push(1, c, at, at, at + 160);
  }
}

const channelRms = (pcm: Int16Array, ch: number, fromMs: number, toMs: number): number =>
  rms(pcm, fromMs * 8 * 2 + ch, toMs * 8 * 2, 2);

test('the timeline keeps both channels aligned, interleaved, in 100 ms µ-law blocks', () => {
  const p = new CallMediaPipeline();
  const { blocks, pcm } = collect(p);
  feed(p, 1000);
  p.close();
  assert.equal(blocks.length, 10);
  assert.deepEqual(
    blocks.map((b) => b.startMs),
    [0, 100, 200, 300, 400, 500, 600, 700, 800, 900],
  );
  const all = pcm();
  assert.ok(Math.abs(channelRms(all, 0, 0, 1000) - 4243) < 100);
  for (let i = 0; i < 1600; i++)
    assert.ok(Math.abs(ulawToLinear(blocks[0]!.pcmu[i]!) - blocks[0]!.pcm[i]!) < 400);
  assert.equal(blocks[0]!.format, 'pcmu/8000/2');
});

test('loss and a silent side become silence and lost segments; the timeline length stays right', () => {
  const p = new CallMediaPipeline();
  const { blocks, segments, pcm } = collect(p);
  // Channel 0 loses 200–400 ms; channel 1 sends nothing after 500 ms.
  feed(p, 1000, (ch, at) => (ch === 0 ? at >= 1600 && at < 3200 : at >= 4000));
  p.close();
  assert.equal(
    blocks.reduce((n, b) => n + b.frames, 0),
    8000,
  );
  const all = pcm();
  assert.equal(channelRms(all, 0, 200, 400), 0);
  assert.ok(channelRms(all, 0, 400, 1000) > 4000);
  assert.equal(channelRms(all, 1, 500, 1000), 0);
  const lost = segments.filter((s) => s.kind === 'lost');
  assert.deepEqual(lost, [
    { kind: 'lost', startMs: 200, endMs: 400, channel: 0 },
    { kind: 'lost', startMs: 500, endMs: 1000, channel: 1 },
  ]);
});

test('late and reordered samples land in place; samples older than the output are dropped and counted', () => {
  const p = new CallMediaPipeline({ channels: 1 });
  const { blocks } = collect(p);
  const s = sine(440, 400, 6000);
  p.push(0, s, 160, 160, 320);
  p.push(0, s, 0, 0, 160);
  p.push(0, s, 320, 320, 3200);
  p.close();
  const out = concat(...blocks.map((b) => b.pcm));
  assert.deepEqual(out, s);
  const q = new CallMediaPipeline({ channels: 1 });
  q.push(0, s, 0, 0, 3200);
  q.advanceTo(6000);
  q.push(0, s, 0, 0, 160);
  assert.equal(q.lateSamples, 160);
});

test('R-PCI-1: paused audio reaches no sink and the pause is a segment on the timeline', () => {
  const p = new CallMediaPipeline();
  const { blocks, segments, pcm } = collect(p);
  const a = sine(440, 1500, 6000);
  const seen: Int16Array[] = [];
  p.addSink({ onBlock: (b) => seen.push(b.pcm) });
  for (let at = 0; at < a.length; at += 160) {
    if (at === 4000) p.pause();
    if (at === 8000) p.resume();
    p.push(0, a, at, at, at + 160);
    p.push(1, a, at, at, at + 160);
  }
  p.close();
  const all = pcm();
  assert.equal(all.length, 12000 * 2);
  assert.equal(channelRms(all, 0, 500, 1000), 0);
  assert.equal(channelRms(all, 1, 500, 1000), 0);
  assert.ok(channelRms(all, 0, 1000, 1500) > 4000);
  assert.ok(blocks.some((b) => b.paused));
  assert.deepEqual(
    segments.filter((s) => s.kind === 'paused' || s.kind === 'recorded'),
    [
      { kind: 'recorded', startMs: 0, endMs: 500 },
      { kind: 'paused', startMs: 500, endMs: 1000 },
      { kind: 'recorded', startMs: 1000, endMs: 1500 },
    ],
  );
  assert.ok(!segments.some((s) => s.kind === 'lost'), 'a pause is not a loss');
});

test('R-PCI-1: a gap that runs into a pause is lost up to the pause only', () => {
  const p = new CallMediaPipeline();
  const { segments } = collect(p);
  const a = sine(440, 1500, 6000);
  for (let at = 0; at < a.length; at += 160) {
    if (at === 4000) p.pause();
    if (at === 8000) p.resume();
    if (at < 2400 || at >= 5600) p.push(0, a, at, at, at + 160); // channel 0 loses 300–700 ms
    p.push(1, a, at, at, at + 160);
  }
  p.close();
  assert.deepEqual(
    segments.filter((s) => s.kind === 'lost'),
    [{ kind: 'lost', startMs: 300, endMs: 500, channel: 0 }],
  );
});

test('G.711 is decoded as it is placed: every µ-law and A-law code lands at its index, split runs included', () => {
  const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (const law of ['pcmu', 'pcma'] as const) {
    const p = new CallMediaPipeline({ channels: 1 });
    const { pcm } = collect(p);
    const bytes = new Uint8Array(3 * 2400);
    for (let i = 0; i < bytes.length; i++) bytes[i] = codes[(i * 7) % 256] as number;
    // One 300 ms payload (more than one decode run) at 0, then 20 ms ones.
    p.pushG711(0, law, bytes, 0, 0, 2400);
    for (let at = 2400; at < bytes.length; at += 160) p.pushG711(0, law, bytes, at, at, 160);
    p.close();
    const expected = new Int16Array(bytes.length);
    decodeG711(law, bytes, expected);
    assert.deepEqual(pcm(), expected, law);
  }
});

test('R-PCI-2: in-band DTMF is masked before the sinks and a masked segment is recorded', () => {
  const p = new CallMediaPipeline({ channels: 1 });
  const { segments, pcm } = collect(p);
  const digits: number[] = [];
  p.on('dtmf', (d) => digits.push(d.atMs));
  const sig = concat(sine(300, 500, 3000), dtmfTone('5', 100, 7000), sine(300, 500, 3000));
  p.push(0, sig, 0);
  p.close();
  const out = pcm();
  assert.equal(out.length, sig.length);
  assert.equal(rms(out, 4000 - 80, 4800 + 160), 0);
  assert.equal(digits.length, 1);
  const masked = segments.find((s) => s.kind === 'masked');
  assert.ok(masked && masked.startMs <= 500 && masked.endMs >= 600, JSON.stringify(masked));
});

test('R-CAL-2: the objection key (RFC 4733 or in-band) raises objection and stops all blocks', () => {
  const p = new CallMediaPipeline({ objectionKey: '9' });
  const { blocks } = collect(p);
  const objections: string[] = [];
  p.on('objection', (o) => objections.push(o.source));
  feed(p, 500);
  p.telephoneEvent(0, '9'); // the agent's keypad does not object for the caller
  p.telephoneEvent(1, '1');
  assert.deepEqual(objections, []);
  p.telephoneEvent(1, '9');
  assert.deepEqual(objections, ['rfc4733']);
  const before = blocks.length;
  feed(p, 1000);
  p.close();
  assert.equal(blocks.length, before);

  const q = new CallMediaPipeline({ channels: 1, objectionKey: '#' });
  const got: string[] = [];
  q.on('objection', (o) => got.push(o.source));
  q.push(0, concat(silence(100), dtmfTone('#', 80), silence(300)), 0);
  assert.deepEqual(got, ['inband']);
});

test('R-PCI-1: keys pressed while paused are not read, not even for an objection', () => {
  const p = new CallMediaPipeline({ objectionKey: '9' });
  const got: unknown[] = [];
  p.on('objection', (o) => got.push(o));
  p.on('dtmf', (o) => got.push(o));
  feed(p, 300);
  p.pause();
  p.telephoneEvent(1, '9');
  assert.deepEqual(got, []);
});

test('a throwing sink or listener does not stop the others; close is idempotent', () => {
  const p = new CallMediaPipeline();
  const errors: unknown[] = [];
  p.addSink({
    onBlock: () => {
      throw new Error('disk full');
    },
  });
  p.on('segment', () => {
    throw new Error('listener bug');
  });
  p.on('sinkError', (e) => errors.push(e.error));
  const { blocks } = collect(p);
  feed(p, 500);
  p.close();
  p.close();
  assert.equal(blocks.length, 5);
  assert.ok(errors.length >= 5);
  p.push(0, sine(440, 20), 0); // ignored after close
});
