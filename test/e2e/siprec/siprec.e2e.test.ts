/**
 * SIPREC end to end: sipp as the SRC (real SIP over UDP/TCP, real RTP replayed from generated pcaps)
 * against the recording server wired as in production (stack.ts), checking what the vault really holds.
 * The calls share one server and run one after another; each has a few seconds of audio at most.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { renameSync, writeFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Segment } from '../../../src/media/timeline.ts';
import { dayIn } from '../../../src/capture/admission.ts';
import { concat, dtmfTone, sine, silence } from '../../../src/media/tones.ts';
import { levelAt, readChannels, toneShare } from '../../support/audio.ts';
import { runSipp, sippSkip, twoPartyPcap, type SippCall, type SippResult } from './sipp.ts';
import { startSiprecStack, type SiprecStack } from './stack.ts';

const skip = sippSkip();
/** The store's segment type lists call-level kinds; the media timeline also stores per-channel ones. */
const media = (s: readonly unknown[] | undefined): readonly Segment[] => (s ?? []) as readonly Segment[];
const AGENT_HZ = 440;
const CUSTOMER_HZ = 1000;
let stack: SiprecStack;

before(async () => {
  if (!skip) stack = await startSiprecStack();
});
after(async () => {
  if (!skip) await stack.close();
});

/** One sipp call on a fresh day (R-PUR-3 cap of 3 per agent and day); the events it caused. */
async function call(c: Omit<SippCall, 'port' | 'noticeEndedAt'>): Promise<{ r: SippResult; from: number }> {
  stack.nextDay();
  const from = stack.h.events.events.length;
  const noticeEndedAt = new Date(stack.h.clock.now() - 1000).toISOString();
  const port = c.transport === 'u1' ? stack.ports.udp : stack.ports.tcp;
  const r = await runSipp({ ...c, port, noticeEndedAt });
  assert.equal(r.code, 0, r.errors);
  return { r, from };
}

async function sealed(from: number): Promise<{ recordingId: string; callId: string }> {
  const e = await stack.eventAfter(from, 'sealed');
  return { recordingId: e.recordingId ?? '', callId: e.callId };
}

const tones = (ms: number): { customer: Int16Array; agent: Int16Array } => ({
  customer: sine(CUSTOMER_HZ, ms, 8000),
  agent: sine(AGENT_HZ, ms, 8000),
});

for (const [transport, label] of [
  ['u1', 'UDP'],
  ['t1', 'TCP'],
] as const) {
  test(
    `SIPREC over ${label}: two streams stored on two channels, agent and customer each on their own, right duration`,
    { skip },
    async () => {
      const ms = 2000;
      const { customer, agent } = tones(ms);
      const { from } = await call({
        scenario: 'siprec_pcap.xml',
        transport,
        pcap: twoPartyPcap(customer, agent),
        pauseMs: ms,
      });
      const { recordingId } = await sealed(from);
      const rec = await stack.h.db.recordings.get(recordingId);
      assert.equal(rec?.state, 'sealed');
      assert.ok(
        Math.abs((rec?.durationMs ?? 0) - ms) <= 150,
        `duration ${rec?.durationMs} ms, expected ${ms} ± 150`,
      );
      const ch = await readChannels(stack.h.vault, recordingId);
      assert.ok(Math.abs(ch.seconds * 1000 - ms) <= 150, `stored ${ch.seconds} s`);
      // The right party on the right channel, and no crosstalk.
      assert.ok(toneShare(ch.agent, AGENT_HZ, 200, ms - 200) > 0.9, 'agent channel holds the agent tone');
      assert.ok(
        toneShare(ch.customer, CUSTOMER_HZ, 200, ms - 200) > 0.9,
        'customer channel holds the customer tone',
      );
      assert.ok(toneShare(ch.agent, CUSTOMER_HZ, 200, ms - 200) < 0.01, 'no customer in the agent channel');
      assert.ok(toneShare(ch.customer, AGENT_HZ, 200, ms - 200) < 0.01, 'no agent in the customer channel');
    },
  );
}

test(
  'R-PCI-1: a re-INVITE a=inactive pauses, a=sendonly resumes: the paused span is silent and a paused segment is on the recording',
  { skip },
  async () => {
    const ms = 3000;
    const { customer, agent } = tones(ms);
    // The scenario pauses 1 s after the ACK and resumes 1 s later; the pcap plays on throughout.
    const { from } = await call({
      scenario: 'siprec_pcap_pause.xml',
      transport: 't1',
      pcap: twoPartyPcap(customer, agent),
      pauseMs: 1000,
    });
    const { recordingId } = await sealed(from);
    const rec = await stack.h.db.recordings.get(recordingId);
    const paused = rec?.segments.filter((s) => s.kind === 'paused') ?? [];
    assert.equal(paused.length, 1, JSON.stringify(rec?.segments));
    const p = paused[0]!;
    assert.ok(p.startMs >= 800 && p.startMs <= 1300 && p.endMs - p.startMs >= 800, JSON.stringify(p));
    const ch = await readChannels(stack.h.vault, recordingId);
    // Stored as Opus: the codec's look-ahead (6.5 ms) and decay (about 30 ms) reach into the span's edges,
    // and digital silence decodes to ±1; 50 (-56 dBFS) is the silence level of the other pause tests.
    for (const pcm of [ch.agent, ch.customer])
      assert.ok(levelAt(pcm, p.startMs + 40, p.endMs - 40) < 50, 'silence while paused');
    assert.ok(toneShare(ch.agent, AGENT_HZ, 100, p.startMs - 100) > 0.9, 'recorded before the pause');
    assert.ok(
      toneShare(ch.customer, CUSTOMER_HZ, p.endMs + 100, ms - 200) > 0.9,
      'recorded after the resume',
    );
    assert.ok(Math.abs((rec?.durationMs ?? 0) - ms) <= 150, `duration ${rec?.durationMs}`);
  },
);

test(
  'R-EMP-2: a transfer (partial metadata update) to an uninformed agent stops the recording from that moment',
  { skip },
  async () => {
    const ms = 2500;
    const { customer, agent } = tones(ms);
    const { from } = await call({
      scenario: 'siprec_pcap_transfer.xml',
      transport: 't1',
      pcap: twoPartyPcap(customer, agent),
      pauseMs: 1500,
      transferTo: '1002',
    });
    const { recordingId } = await sealed(from);
    const rec = await stack.h.db.recordings.get(recordingId);
    // Transfer 1 s after the ACK: what follows is not on the recording.
    const d = rec?.durationMs ?? 0;
    assert.ok(d >= 800 && d <= 1400, `recording kept ${d} ms, expected about 1000`);
    const ch = await readChannels(stack.h.vault, recordingId);
    assert.ok(ch.seconds < 1.5);
    assert.ok(toneShare(ch.agent, AGENT_HZ, 100, 700) > 0.9);
  },
);

test(
  'R-MIN-4: a call the draw does not select is answered with every stream inactive, nothing stored, only the anonymous counter',
  { skip },
  async () => {
    const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
    const recordingsBefore = await stack.h.db.recordings.countByState();
    stack.draw.value = 0.99;
    try {
      const { from } = await call({ scenario: 'siprec_not_recorded.xml', transport: 't1', pauseMs: 300 });
      assert.equal(stack.h.events.events.length, from, 'no recorder event');
    } finally {
      stack.draw.value = 0.01;
    }
    assert.deepEqual(await stack.h.db.recordings.countByState(), recordingsBefore);
    assert.equal(stack.h.recorder.active.size, 0);
    assert.equal(stack.rtp.activeCalls, 0, 'no RTP port was opened');
    const today = day(stack.h.clock.now());
    const counters = await stack.h.db.counters.list({ fromDay: today, toDay: today });
    assert.equal(
      counters.reduce((n, c) => n + c.count, 0),
      1,
    );
    assert.notEqual(counters[0]?.outcome, 'recorded');
    // The counter is anonymous: no call, agent or number in it.
    assert.deepEqual(Object.keys(counters[0] ?? {}).sort(), [
      'count',
      'day',
      'outcome',
      'policyId',
      'reason',
      'ruleId',
    ]);
  },
);

test(
  'R-PUR-3: a session the vault cannot open (its spool directory is a file) is refused with 500; no session, port or slot is kept, and the next call records',
  { skip },
  async () => {
    const spool = join(stack.dir, 'spool');
    const before = stack.handler.sessions;
    renameSync(spool, `${spool}.moved`);
    writeFileSync(spool, 'not a directory'); // the real condition: the spool cannot be created
    let from: number;
    try {
      ({ from } = await call({ scenario: 'siprec_refused.xml', transport: 't1' }));
    } finally {
      rmSync(spool);
      renameSync(`${spool}.moved`, spool);
    }
    const failed = await stack.eventAfter(from, 'failed');
    const rec = await stack.h.db.recordings.get(failed.recordingId ?? '');
    assert.equal(rec?.state, 'failed');
    assert.equal(stack.handler.sessions, before, 'no SIPREC session left behind');
    assert.equal(stack.rtp.activeCalls, 0, 'no RTP port was opened');
    assert.equal(stack.h.recorder.active.size, 0);
    const today = dayIn(stack.h.clock.now(), 'Europe/Paris');
    const used = Object.values(await stack.h.db.counters.slotsUsed('a1', today)).reduce((a, b) => a + b, 0);
    assert.equal(used, 0, 'the daily slot taken at admission was given back (R-PUR-3)');
    // The same day, the same agent: recorded (the cap of 3 a day was not eaten by the refused session).
    const ms = 1000;
    const { customer, agent } = tones(ms);
    const again = stack.h.events.events.length;
    const r = await runSipp({
      scenario: 'siprec_pcap.xml',
      transport: 't1',
      pcap: twoPartyPcap(customer, agent),
      pauseMs: ms,
      port: stack.ports.tcp,
      noticeEndedAt: new Date(stack.h.clock.now() - 1000).toISOString(),
    });
    assert.equal(r.code, 0, r.errors);
    const { recordingId } = await sealed(again);
    assert.equal((await stack.h.db.recordings.get(recordingId))?.state, 'sealed');
  },
);

test(
  'R-CAL-2: the objection key 9 as RFC 4733 events destroys the recording (no blob, no key, state objected) and Ecoute sends BYE',
  { skip },
  async () => {
    const ms = 3000;
    const { customer, agent } = tones(ms);
    const pcap = twoPartyPcap(customer, agent, {
      customer: { telephoneEvent: { pt: 101, event: 9, fromPacket: 50, packets: 8 } },
    });
    // The scenario only ends when Ecoute's BYE arrives (siprec_pcap_srs_bye.xml): sipp's exit 0 proves it.
    const { from, r } = await call({ scenario: 'siprec_pcap_srs_bye.xml', transport: 'u1', pcap });
    assert.ok(r.exitedAt - r.startedAt < ms, 'the session ended before the audio did');
    const e = await stack.eventAfter(from, 'destroyed');
    assert.equal(e.detail, 'R-CAL-2');
    const id = e.recordingId ?? '';
    const rec = await stack.h.db.recordings.get(id);
    assert.equal(rec?.state, 'objected');
    assert.equal(rec?.blobKey ?? undefined, undefined);
    assert.equal(await stack.h.db.dataKeys.get(id), undefined, 'data key destroyed');
    await assert.rejects(stack.h.vault.openReader(id));
    assert.equal(stack.h.events.events.slice(from).filter((x) => x.kind === 'sealed').length, 0);
  },
);

test(
  'OPTIONS keep-alive on the recording server is answered 200 with Supported: siprec',
  { skip },
  async () => {
    await call({ scenario: 'siprec_options.xml', transport: 'u1' });
    await call({ scenario: 'siprec_options.xml', transport: 't1' });
  },
);

test(
  'R-PCI-2: in-band DTMF tones in the customer stream are masked in the stored recording',
  { skip },
  async () => {
    const ms = 2000;
    const customer = concat(
      sine(CUSTOMER_HZ, 800, 8000),
      dtmfTone('5', 200),
      silence(100),
      sine(CUSTOMER_HZ, 900, 8000),
    );
    const { from } = await call({
      scenario: 'siprec_pcap.xml',
      transport: 't1',
      pcap: twoPartyPcap(customer, sine(AGENT_HZ, ms)),
      pauseMs: ms,
    });
    const { recordingId } = await sealed(from);
    const ch = await readChannels(stack.h.vault, recordingId);
    // Digit 5 is 770 Hz + 1336 Hz: none of that energy may be left anywhere on the recording.
    for (const f of [770, 1336]) assert.ok(toneShare(ch.customer, f, 0, ms) < 0.02, `${f} Hz share`);
    assert.ok(levelAt(ch.customer, 830, 970) < 50, 'the key press span is silence');
    assert.ok(toneShare(ch.customer, CUSTOMER_HZ, 1200, 1900) > 0.9, 'speech after the key is kept');
    const rec = await stack.h.db.recordings.get(recordingId);
    assert.ok(
      media(rec?.segments).some((s) => s.kind === 'masked' && s.channel === 1),
      JSON.stringify(rec?.segments),
    );
  },
);

/** Sends `bytes` to the SIP server over UDP and over a fresh TCP connection. */
async function garbage(bytes: string): Promise<void> {
  const u = createSocket('udp4');
  await new Promise<void>((r) => u.send(bytes, stack.ports.udp, '127.0.0.1', () => r()));
  u.close();
  const t = connect({ host: '127.0.0.1', port: stack.ports.tcp });
  await once(t, 'connect');
  t.end(bytes);
  await once(t, 'close');
}

test(
  'faults: malformed SIP while a call is recorded, then RTP to the closed ports: the call still seals and the server serves on',
  { skip },
  async () => {
    const ms = 2000;
    const { customer, agent } = tones(ms);
    const before = { ...stack.sip.stats };
    const accept = stack.handler.onInvite.bind(stack.handler);
    let attack: Promise<void> | undefined;
    let ports: number[] = [];
    // Once the call is answered, malformed requests arrive while its audio flows.
    stack.handler.onInvite = async (inv) => {
      const answer = await accept(inv);
      stack.handler.onInvite = accept;
      if (answer.kind === 'accept')
        ports = [...(answer.sdp ?? '').matchAll(/m=audio (\d+)/g)].map((m) => Number(m[1]));
      attack = (async () => {
        await garbage('INVITE sip:srs@127.0.0.1 SIP/2.0\r\nVia: broken\r\nContent-Length: 99999\r\n\r\n<x>');
        await garbage('\u0000\u00ff not SIP at all \r\n\r\n');
        await garbage('OPTIONS sip:srs@127.0.0.1 SIP/2.0\r\nCSeq: one OPTIONS\r\n\r\n');
      })();
      return answer;
    };
    const { from } = await call({
      scenario: 'siprec_pcap.xml',
      transport: 'u1',
      pcap: twoPartyPcap(customer, agent),
      pauseMs: ms,
    });
    await attack;
    const { recordingId } = await sealed(from);
    const rec = await stack.h.db.recordings.get(recordingId);
    assert.equal(rec?.state, 'sealed');
    assert.ok(Math.abs((rec?.durationMs ?? 0) - ms) <= 150, `duration ${rec?.durationMs}`);
    const malformed = stack.sip.stats.malformedAnswered + stack.sip.stats.malformedDropped;
    assert.ok(
      malformed >= before.malformedAnswered + before.malformedDropped + 3,
      JSON.stringify(stack.sip.stats),
    );
    // The SRC keeps sending RTP after the BYE (a late or lost BYE): the ports are closed, nothing breaks.
    const u = createSocket('udp4');
    const rtpPacket = new Uint8Array(172);
    rtpPacket[0] = 0x80;
    assert.equal(ports.length, 2);
    for (const port of ports) await new Promise<void>((r) => u.send(rtpPacket, port, '127.0.0.1', () => r()));
    u.close();
    assert.equal(stack.rtp.activeCalls, 0);
  },
);

test(
  'faults: a 20 % loss burst on both streams keeps the recording timeline true (duration, lost segments)',
  { skip },
  async () => {
    const ms = 3000;
    const { customer, agent } = tones(ms);
    // From 1 s to 2 s every fifth packet is lost.
    const drop = (i: number): boolean => i >= 50 && i < 100 && i % 5 === 0;
    const pcap = twoPartyPcap(customer, agent, { customer: { drop }, agent: { drop } });
    const { from } = await call({ scenario: 'siprec_pcap.xml', transport: 't1', pcap, pauseMs: ms });
    const { recordingId } = await sealed(from);
    const rec = await stack.h.db.recordings.get(recordingId);
    assert.ok(Math.abs((rec?.durationMs ?? 0) - ms) <= 150, `duration ${rec?.durationMs}`);
    const ch = await readChannels(stack.h.vault, recordingId);
    assert.ok(Math.abs(ch.seconds * 1000 - ms) <= 150);
    assert.ok(toneShare(ch.agent, AGENT_HZ, 2200, 2800) > 0.9, 'the agent is still in place after the burst');
    assert.ok(
      toneShare(ch.customer, CUSTOMER_HZ, 2200, 2800) > 0.9,
      'the customer is still in place after the burst',
    );
    const lost = media(rec?.segments).filter((s) => s.kind === 'lost');
    assert.ok(
      lost.length >= 2 && lost.every((s) => s.startMs >= 900 && s.endMs <= 2100),
      JSON.stringify(rec?.segments),
    );
  },
);
