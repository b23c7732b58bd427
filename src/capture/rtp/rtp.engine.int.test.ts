import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync, existsSync } from 'node:fs';
import { RtpEngine, type RtpCall, type StereoBlock, type Segment, type RtpCallStats } from './rtp.engine.ts';
import { encodeG711 } from '../../media/g711.ts';
import { writeRtpHeader } from '../../media/rtp.parser.ts';
import { writeTelephoneEvent } from '../../media/telephone-event.ts';
import { sine } from '../../media/tones.ts';
import { toneRatio } from '../../media/goertzel.ts';
import { rms } from '../../media/levels.ts';
import { readPcap } from '../../../test/support/pcap.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { join } from 'node:path';
import { systemClock } from '../../clock.ts';
import { openDatabase } from '../../db/index.ts';
import { EcouteMetrics } from '../../metrics/metrics.ts';

const base = 40000 + 2 * Math.floor(Math.random() * 4000);
let engine: RtpEngine;
const tx = createSocket('udp4');

before(async () => {
  engine = new RtpEngine({
    portMin: base,
    portMax: base + 199,
    bindAddress: '127.0.0.1',
    cooldownMs: 50,
    statsIntervalMs: 100,
    // The tests send about 10× faster than real time on a shared machine: widen the wall-clock windows.
    jitterMs: 1000,
    maxSkewMs: 3000,
  });
  await engine.start();
});
after(async () => {
  await engine.stop();
  tx.close();
});

const PCMU = { pt: 0, codec: 'PCMU' } as const;
const PCMA = { pt: 8, codec: 'PCMA' } as const;
const DTMF = { pt: 101, codec: 'telephone-event' } as const;
const streams = [
  { label: 'agent', payloadTypes: [PCMU, PCMA, DTMF] },
  { label: 'customer', payloadTypes: [PCMU, PCMA, DTMF] },
];

interface Packet {
  port: number;
  bytes: Uint8Array;
}

/** RTP packets of a tone: `ms` of audio in `ptimeMs` packets. */
function tonePackets(
  port: number,
  freq: number,
  ms: number,
  o: { ptimeMs?: number; pt?: 0 | 8; ssrc?: number; seq0?: number; ts0?: number } = {},
): Packet[] {
  const ptime = o.ptimeMs ?? 20;
  const n = ptime * 8;
  const pcm = sine(freq, ms, 6000);
  const out: Packet[] = [];
  for (let i = 0; i * n < pcm.length; i++) {
    const bytes = new Uint8Array(12 + n);
    writeRtpHeader(bytes, {
      payloadType: o.pt ?? 0,
      sequence: ((o.seq0 ?? 100) + i) & 0xffff,
      timestamp: ((o.ts0 ?? 5000) + i * n) >>> 0,
      ssrc: o.ssrc ?? 0x1234,
    });
    encodeG711(o.pt === 8 ? 'pcma' : 'pcmu', pcm.subarray(i * n, (i + 1) * n), bytes, 12);
    out.push({ port, bytes });
  }
  return out;
}

/**
 * Sends packets in order, pausing every second packet: about 10× real time. A real sender is paced;
 * an unpaced burst lets the worker read one socket's whole queue before the other's, which looks like
 * hundreds of ms of skew between the channels.
 */
async function send(packets: readonly Packet[]): Promise<void> {
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i]!;
    tx.send(p.bytes, p.port, '127.0.0.1');
    if (i % 2 === 1) await new Promise((r) => setTimeout(r, 1));
  }
}

/** The RTP sequence number of a packet. */
const seqOf = (p: Packet): number => ((p.bytes[2] as number) << 8) | (p.bytes[3] as number);

/** Merges two streams in send-time order (each packet at its position × its duration), as a real sender would. */
function interleave(a: Packet[], b: Packet[]): Packet[] {
  const timed = (ps: Packet[]): { p: Packet; t: number }[] =>
    ps.map((p, i) => ({ p, t: i * (p.bytes.length - 12) }));
  return [...timed(a), ...timed(b)].sort((x, y) => x.t - y.t).map((x) => x.p);
}

interface Recording {
  blocks: StereoBlock[];
  segments: Segment[];
  objections: unknown[];
}

function record(call: RtpCall): Recording {
  const r: Recording = { blocks: [], segments: [], objections: [] };
  call.on('block', (b) => r.blocks.push(b));
  call.on('segment', (s) => r.segments.push(s));
  call.on('objection', (o) => r.objections.push(o));
  return r;
}

/** Resolves once the worker has accounted for `expected` packets (stats events). */
function waitStats(call: RtpCall, expected: number): Promise<RtpCallStats> {
  return new Promise((resolve) => {
    const off = call.on('stats', (s) => {
      const seen = s.streams.reduce(
        (n, x) => n + x.received + x.strays + x.events + x.duplicates + x.late,
        0,
      );
      if (seen >= expected) {
        off();
        resolve(s);
      }
    });
  });
}

function pcmOf(blocks: StereoBlock[]): Int16Array {
  const out = new Int16Array(blocks.reduce((n, b) => n + b.pcm.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b.pcm, at);
    at += b.pcm.length;
  }
  return out;
}

function channel(pcm: Int16Array, ch: number): Int16Array {
  const out = new Int16Array(pcm.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = pcm[i * 2 + ch]!;
  return out;
}

test('two streams with distinct tones, 20 ms PCMU and 30 ms PCMA, land on their channels with the right length', async () => {
  const call = await engine.allocate('c-two', streams);
  assert.equal(call.ports[1], call.ports[0]! + 2, 'consecutive even ports for sipp play_pcap_audio');
  assert.equal(call.ports[0]! % 2, 0);
  const rec = record(call);
  const agent = tonePackets(call.ports[0]!, 440, 1200, { ptimeMs: 20 });
  const customer = tonePackets(call.ports[1], 1000, 1200, { ptimeMs: 30, pt: 8, ssrc: 0x9999 });
  await send(interleave(agent, customer));
  await waitStats(call, agent.length + customer.length);
  const stats = await call.release();
  assert.deepEqual(
    stats.streams.map((s) => [s.received, s.lost, s.strays]),
    [
      [60, 0, 0],
      [40, 0, 0],
    ],
  );
  const pcm = pcmOf(rec.blocks);
  const ms = pcm.length / 2 / 8;
  // Streams are aligned by the wall-clock arrival of their first packets; a loaded machine skews that.
  assert.ok(Math.abs(ms - 1200) <= 100, `duration ${ms} ms`);
  const a = channel(pcm, 0);
  const c = channel(pcm, 1);
  assert.ok(
    toneRatio(a, 2000, 1600, 440) > 0.8 && toneRatio(a, 2000, 1600, 1000) < 0.05,
    'agent is 440 Hz on channel 0',
  );
  assert.ok(
    toneRatio(c, 2000, 1600, 1000) > 0.8 && toneRatio(c, 2000, 1600, 440) < 0.05,
    'customer is 1000 Hz on channel 1',
  );
});

test('blocks of concurrent calls, batched per worker tick, reach each call whole, in order, before its end', async () => {
  const calls = await Promise.all(['c-b1', 'c-b2', 'c-b3'].map((id) => engine.allocate(id, streams)));
  const seen = calls.map((call) => {
    const got = {
      seqs: [] as number[],
      starts: [] as number[],
      frames: 0,
      badViews: 0,
      afterEnd: 0,
      ended: false,
    };
    call.on('block', (b) => {
      if (got.ended) got.afterEnd++;
      got.seqs.push(b.seq);
      got.starts.push(b.startSample);
      got.frames += b.frames;
      if (b.pcm.length !== b.frames * 2 || b.pcmu.length !== b.frames * 2) got.badViews++;
    });
    call.on('end', () => (got.ended = true));
    return got;
  });
  const packets = calls.flatMap((call, i) =>
    interleave(
      tonePackets(call.ports[0]!, 440, 800, { ssrc: 10 + i }),
      tonePackets(call.ports[1]!, 1000, 800, { ssrc: 20 + i }),
    ),
  );
  // All three calls at once, their packets mixed, so that each tick's batch carries several calls.
  const order = packets.map((p, i) => ({ p, t: i % 80 })).sort((a, b) => a.t - b.t);
  await send(order.map((x) => x.p));
  await Promise.all(calls.map((call) => waitStats(call, 80)));
  await Promise.all(calls.map((call) => call.release()));
  for (const got of seen) {
    assert.deepEqual(got.seqs, [...got.seqs.keys()], 'every block once, in order');
    assert.deepEqual(
      got.starts,
      got.seqs.map((_, i) => i * 800),
      'contiguous on the timeline',
    );
    assert.ok(Math.abs(got.frames / 8 - 800) <= 100, `duration ${got.frames / 8} ms`);
    assert.equal(got.badViews, 0, 'both views of every block cover its frames');
    assert.equal(got.afterEnd, 0, 'no block after the end');
  }
});

test('a 20 % loss burst, reordering and duplicates keep the timeline true (lost counted, silence inserted)', async () => {
  const call = await engine.allocate('c-loss', streams);
  const rec = record(call);
  const agent = tonePackets(call.ports[0]!, 440, 2000);
  const customer = tonePackets(call.ports[1]!, 1000, 2000, { ssrc: 77 });
  const lossy = agent.filter((_, i) => i < 40 || i >= 60); // packets 40–59: 20 % of 100, 400 ms
  for (let i = 0; i + 1 < 30; i += 3) [lossy[i], lossy[i + 1]] = [lossy[i + 1]!, lossy[i]!]; // reorder pairs
  lossy.splice(70, 0, lossy[69]!); // a duplicate
  await send(interleave(lossy, customer));
  await waitStats(call, lossy.length + customer.length);
  const stats = await call.release();
  const [s0] = stats.streams;
  assert.equal(s0!.received, 80);
  assert.equal(s0!.lost, 20);
  assert.equal(s0!.duplicates, 1);
  const pcm = pcmOf(rec.blocks);
  assert.ok(Math.abs(pcm.length / 2 / 8 - 2000) <= 20, `duration ${pcm.length / 16} ms`);
  const a = channel(pcm, 0);
  // The burst sits where the timestamps put it (the stream's anchor may be a few ms off under load).
  const lost = rec.segments.find((x) => x.kind === 'lost' && x.channel === 0 && x.endMs - x.startMs >= 390);
  assert.ok(
    lost && Math.abs(lost.startMs - 800) < 100 && lost.endMs - lost.startMs <= 410,
    JSON.stringify(rec.segments),
  );
  assert.equal(rms(a, lost.startMs * 8 + 8, lost.endMs * 8 - 8), 0, 'the burst is silence');
  assert.ok(rms(a, 0, (lost.startMs - 100) * 8) > 3500, 'reordered audio is intact');
});

test('R-PCI-2 R-CAL-2: RFC 4733 events are dropped, and the objection key raises an objection; stray SSRCs are dropped', async () => {
  const call = await engine.allocate('c-dtmf', streams, { objectionKey: '9' });
  const rec = record(call);
  const customer = tonePackets(call.ports[1]!, 1000, 600, { ssrc: 5 });
  const stray = tonePackets(call.ports[1]!, 3000, 200, { ssrc: 6, seq0: 9000 });
  const events: Packet[] = [];
  for (const [i, end] of [
    [0, false],
    [1, false],
    [2, true],
    [3, true],
    [4, true],
  ] as const) {
    const b = new Uint8Array(16);
    writeRtpHeader(b, {
      payloadType: 101,
      sequence: 130 + i,
      timestamp: 5000 + 30 * 160,
      ssrc: 5,
      marker: i === 0,
    });
    writeTelephoneEvent(b, 12, { event: 9, end, volume: 10, duration: 320 * (i + 1) });
    events.push({ port: call.ports[1]!, bytes: b });
  }
  await send([...customer.slice(0, 25), ...stray, ...events, ...customer.slice(25)]);
  await waitStats(call, customer.length + stray.length + events.length);
  const stats = await call.release();
  const s1 = stats.streams[1]!;
  assert.equal(s1.events, 5);
  assert.equal(s1.strays, stray.length);
  assert.equal(rec.objections.length, 1);
  assert.deepEqual(rec.objections[0], { channel: 1, atMs: 600, source: 'rfc4733' });
});

test('R-PCI-1: pause and resume through the engine leave silence and a paused segment', async () => {
  const call = await engine.allocate('c-pause', streams);
  const rec = record(call);
  const agent = tonePackets(call.ports[0]!, 440, 1500);
  const customer = tonePackets(call.ports[1]!, 1000, 1500, { ssrc: 8 });
  const all = interleave(agent, customer);
  await send(all.slice(0, 50));
  await waitStats(call, 50);
  await call.pause();
  await send(all.slice(50, 100));
  await waitStats(call, 100);
  await call.resume();
  await send(all.slice(100));
  await waitStats(call, all.length);
  await call.release();
  const pcm = pcmOf(rec.blocks);
  const c = channel(pcm, 1);
  const paused = rec.segments.find((s) => s.kind === 'paused');
  assert.ok(paused, 'a paused segment');
  assert.ok(
    paused.startMs >= 480 && paused.startMs <= 520 && paused.endMs >= 980 && paused.endMs <= 1020,
    JSON.stringify(paused),
  );
  assert.equal(rms(c, paused.startMs * 8 + 8, paused.endMs * 8 - 8), 0);
  assert.ok(rms(c, 1100 * 8, 1400 * 8) > 3500);
});

test('RTP to an unallocated or released port is ignored and other calls go on', async () => {
  const call = await engine.allocate('c-ports', streams);
  const rec = record(call);
  await call.release();
  const next = await engine.allocate('c-ports-2', streams);
  assert.notDeepEqual(next.ports, call.ports, 'a released port cools down before reuse');
  await send(tonePackets(call.ports[0]!, 440, 200));
  await send(tonePackets(base + 150, 440, 200));
  const agent = tonePackets(next.ports[0]!, 440, 300);
  await send(agent);
  await waitStats(next, agent.length);
  const stats = await next.release();
  assert.equal(stats.streams[0]!.received, 15);
  assert.equal(rec.blocks.length, 0);
});

test(
  "sipp's g711a.pcap (PCMA, 30 ms) replayed over UDP is received whole",
  { skip: !existsSync('/usr/share/sip-tester/g711a.pcap') },
  async () => {
    const pkts = readPcap(readFileSync('/usr/share/sip-tester/g711a.pcap'));
    assert.ok(pkts.length > 100);
    const call = await engine.allocate('c-pcap', [{ label: '1', payloadTypes: [PCMA] }], { channels: 1 });
    const rec = record(call);
    await send(pkts.map((p) => ({ port: call.ports[0]!, bytes: p.payload })));
    const stats0 = await waitStats(call, pkts.length);
    const stats = await call.release();
    assert.equal(stats0.streams[0]!.strays, 0);
    assert.equal(stats.streams[0]!.received, pkts.length);
    const frames = rec.blocks.reduce((n, b) => n + b.frames, 0);
    const expected = pkts.reduce((n, p) => n + p.payload.length - 12, 0);
    assert.ok(Math.abs(frames - expected) <= 240, `${frames} samples for ${expected} sent`);
    assert.ok(rms(pcmOf(rec.blocks)) > 100, 'the recording carries the pcap audio');
  },
);

test('R-SEC-3: RTP packets lost in the workers reach the node metrics, counted once, with no call or agent label', async (t) => {
  const tmp = tempDir('ecoute-rtp-metrics-');
  t.after(tmp.remove);
  const db = await openDatabase({ sqliteFile: join(tmp.path, 'ecoute.sqlite') });
  t.after(() => db.close());
  const metrics = new EcouteMetrics({
    nodeId: 'n1',
    clock: systemClock,
    db: db.kysely,
    activeCalls: () => 0,
    processMetrics: false,
  });
  // Its own engine, with the metrics: stats every 50 ms, so each call reports its losses several times.
  const own = new RtpEngine({
    portMin: base + 200,
    portMax: base + 259,
    bindAddress: '127.0.0.1',
    cooldownMs: 50,
    statsIntervalMs: 50,
    jitterMs: 1000,
    maxSkewMs: 3000,
    metrics,
  });
  await own.start();
  t.after(() => own.stop());
  const lostLines = (text: string): string[] =>
    text.split('\n').filter((l) => l.startsWith('ecoute_packets_lost_total'));
  assert.deepEqual(lostLines(await metrics.text()), ['ecoute_packets_lost_total{node="n1"} 0']);

  // Call 1, in two halves: packets 20–31 of the agent's stream never sent (240 ms), then 70–74 (100 ms).
  // The first gap is reported (a stats event shows it) before the second half is sent.
  const one = await own.allocate('c-metrics-1', streams);
  const agent = tonePackets(one.ports[0]!, 440, 2000).filter(
    (_, i) => (i < 20 || i >= 32) && (i < 70 || i >= 75),
  );
  const customer = tonePackets(one.ports[1]!, 1000, 2000, { ssrc: 77 });
  const firstHalf = (p: Packet): boolean => seqOf(p) < 150; // tonePackets numbers from 100
  const lostSoFar = new Promise<void>((resolve) => {
    const off = one.on('stats', (st) => {
      if (st.streams[0]!.lost < 12) return;
      off();
      resolve();
    });
  });
  await send(interleave(agent.filter(firstHalf), customer.filter(firstHalf)));
  await lostSoFar;
  assert.deepEqual(lostLines(await metrics.text()), ['ecoute_packets_lost_total{node="n1"} 12']);
  const rest = (p: Packet): boolean => !firstHalf(p);
  await send(interleave(agent.filter(rest), customer.filter(rest)));
  await waitStats(one, agent.length + customer.length);
  assert.equal((await one.release()).streams[0]!.lost, 17);
  assert.deepEqual(lostLines(await metrics.text()), ['ecoute_packets_lost_total{node="n1"} 17']);

  // Call 2: the customer's stream misses 5 packets, the agent's none.
  const two = await own.allocate('c-metrics-2', streams);
  const agent2 = tonePackets(two.ports[0]!, 440, 600);
  const customer2 = tonePackets(two.ports[1]!, 1000, 600, { ssrc: 78 }).filter((_, i) => i < 10 || i >= 15);
  await send(interleave(agent2, customer2));
  await waitStats(two, agent2.length + customer2.length);
  assert.equal((await two.release()).streams[1]!.lost, 5);
  const text = await metrics.text();
  // The only label is the node's: the exact line is the proof.
  assert.deepEqual(lostLines(text), ['ecoute_packets_lost_total{node="n1"} 22']);
  assert.ok(!/c-metrics|agent|customer/.test(lostLines(text).join('\n')), 'no call, agent or stream label');
});
