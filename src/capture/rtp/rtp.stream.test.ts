import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RtpStreamReceiver } from './rtp.stream.ts';
import { writeRtpHeader } from '../../media/rtp.parser.ts';
import { writeTelephoneEvent } from '../../media/telephone-event.ts';

interface Out {
  audio: [number, number][];
  digits: string[];
}

function receiver(jitterMs = 60, relockMs = 1000): { r: RtpStreamReceiver; out: Out } {
  const out: Out = { audio: [], digits: [] };
  const r = new RtpStreamReceiver(
    {
      label: 'a',
      payloadTypes: [
        { pt: 0, codec: 'PCMU' },
        { pt: 8, codec: 'PCMA' },
        { pt: 101, codec: 'telephone-event' },
      ],
    },
    {
      audio: (_law, _b, _o, len, index) => out.audio.push([index, len]),
      digit: (d) => out.digits.push(d),
      indexAt: (now) => Math.round(now * 8),
    },
    jitterMs,
    relockMs,
  );
  return { r, out };
}

function pkt(seq: number, o: { ssrc?: number; pt?: number; samples?: number; ts?: number } = {}): Uint8Array {
  const n = o.samples ?? 160;
  const b = new Uint8Array(12 + n);
  writeRtpHeader(b, {
    payloadType: o.pt ?? 0,
    sequence: seq & 0xffff,
    timestamp: o.ts ?? 1000 + (seq - 100) * n,
    ssrc: o.ssrc ?? 1,
  });
  return b;
}

test('reordered packets are played out in sequence order, including a reordered start', () => {
  const { r, out } = receiver();
  for (const s of [101, 100, 102, 104, 103, 105, 107, 106]) r.onPacket(pkt(s), 0);
  r.flush();
  assert.deepEqual(
    out.audio.map(([i]) => i / 160),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  assert.deepEqual(r.stats, {
    label: 'a',
    received: 8,
    lost: 0,
    late: 0,
    duplicates: 0,
    strays: 0,
    events: 0,
    relocks: 0,
  });
});

test('a gap is skipped after the jitter window (media time), lost counted, timeline kept by timestamp', () => {
  const { r, out } = receiver();
  for (let s = 100; s < 140; s++) if (s < 110 || s >= 115) r.onPacket(pkt(s), 0);
  r.onPacket(pkt(139), 0); // duplicate of a played packet
  r.onPacket(pkt(112), 0); // lost, then arrives after its place was played out
  r.flush();
  assert.equal(r.stats.lost, 5);
  assert.equal(r.stats.received, 35);
  assert.equal(r.stats.duplicates, 1);
  assert.equal(r.stats.late, 1);
  assert.deepEqual(out.audio.slice(9, 11), [
    [9 * 160, 160],
    [15 * 160, 160],
  ]);
});

test('a wall-clock tick releases packets held behind a gap', () => {
  const { r, out } = receiver(60);
  for (const s of [100, 101, 102, 104]) r.onPacket(pkt(s), 0);
  assert.equal(out.audio.length, 3);
  r.tick(30);
  assert.equal(out.audio.length, 3);
  r.tick(61);
  assert.equal(out.audio.length, 4);
  assert.equal(r.stats.lost, 1);
});

test('SSRC lock: a stray source is dropped while the locked one is alive, and takes over after silence', () => {
  const { r, out } = receiver(60, 1000);
  for (let s = 100; s < 110; s++) r.onPacket(pkt(s), (s - 100) * 20);
  r.onPacket(pkt(500, { ssrc: 2, ts: 90000 }), 200);
  assert.equal(r.stats.strays, 1);
  for (let s = 500; s < 505; s++)
    r.onPacket(pkt(s, { ssrc: 2, ts: 90000 + (s - 500) * 160 }), 1300 + (s - 500) * 20);
  r.flush();
  assert.equal(r.stats.relocks, 1);
  const after = out.audio.slice(10);
  assert.equal(after.length, 5);
  assert.equal(after[0]![0], 1300 * 8, 'a re-locked source is re-anchored on the wall clock');
});

test('R-PCI-2: telephone-events give one digit per event and never reach the audio path; unknown PTs are strays', () => {
  const { r, out } = receiver();
  for (let s = 100; s < 103; s++) r.onPacket(pkt(s), 0);
  for (let i = 0; i < 6; i++) {
    const b = new Uint8Array(16);
    writeRtpHeader(b, { payloadType: 101, sequence: 103 + Math.min(i, 3), timestamp: 1480, ssrc: 1 });
    writeTelephoneEvent(b, 12, { event: 11, end: i >= 3, volume: 10, duration: 160 * (i + 1) });
    r.onPacket(b, 0);
  }
  r.onPacket(pkt(104, { pt: 18 }), 0);
  r.onPacket(new Uint8Array([0x80, 0]), 0);
  assert.deepEqual(out.digits, ['#']);
  assert.equal(r.stats.events, 6);
  assert.equal(r.stats.strays, 2);
  assert.equal(out.audio.length, 3);
});

test('RFC 4733 packets take their sequence numbers in the stream: a digit between audio packets is no loss', () => {
  const { r, out } = receiver();
  for (let s = 100; s < 103; s++) r.onPacket(pkt(s), 0);
  for (let i = 0; i < 6; i++) {
    // One event: three updates, then the end packet three times (RFC 4733 §2.5.1.4), each its own number.
    const b = new Uint8Array(16);
    writeRtpHeader(b, { payloadType: 101, sequence: 103 + i, timestamp: 1480, ssrc: 1 });
    writeTelephoneEvent(b, 12, { event: 5, end: i >= 3, volume: 10, duration: 160 * Math.min(i + 1, 4) });
    r.onPacket(b, 0);
  }
  for (let s = 109; s < 121; s++) r.onPacket(pkt(s), 0);
  r.flush();
  assert.deepEqual(out.digits, ['5']);
  assert.equal(r.stats.lost, 0, 'the event packets are not a gap');
  assert.equal(r.stats.received, 15);
  assert.equal(r.stats.duplicates, 0);
  assert.equal(r.stats.events, 6);
  assert.equal(out.audio.length, 15, 'no audio from the events');
  assert.deepEqual(out.audio[3], [9 * 160, 160], 'the audio after the digit keeps its place on the timeline');
});

test('a jump past the buffer is an outage, its packets lost, unless it is large enough to be a restarted sender (RFC 3550 A.1)', () => {
  const { r } = receiver();
  for (let s = 100; s < 110; s++) r.onPacket(pkt(s), 0);
  for (let s = 200; s < 210; s++) r.onPacket(pkt(s), 0); // 90 packets (1.8 s) never came
  r.flush();
  assert.equal(r.stats.lost, 90);
  for (let s = 20000; s < 20010; s++) r.onPacket(pkt(s, { ts: 500_000 + (s - 20000) * 160 }), 0);
  r.flush();
  assert.equal(r.stats.lost, 90, 'a new sequence base is not 19,790 lost packets');
  assert.equal(r.stats.received, 30);
});
