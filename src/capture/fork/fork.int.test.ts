/**
 * jambonz `listen` and FreeSWITCH mod_audio_fork end to end: a real `ws` client speaking their wire
 * format (subprotocol, metadata text frame, L16 binary frames, DTMF text frames; PROTOCOLS.md B.5,
 * written out here) against a real Fastify server on an ephemeral port, into the RecordingSink.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { FakeClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { RecordingSink } from '../testing/recording.sink.ts';
import { connect, sendJson, wsServer } from '../testing/ws.peer.ts';
import { forkRoutes } from './fork.routes.ts';

const clock = new FakeClock('2026-11-02T09:00:00Z');
const dir = tempDir('ecoute-fork-');
const sink = new RecordingSink({ dir: dir.path, record: (f) => f.customerNumber !== '+33100000000' });
let port = 0;
let close: () => Promise<void>;
const AUTH = `Basic ${Buffer.from('jambonz:s3cret').toString('base64')}`;

before(async () => {
  const server = await wsServer((app) =>
    app.register(forkRoutes, { sink, clock, log: silentLogger, username: 'jambonz', password: 's3cret' }),
  );
  port = server.port;
  close = () => server.app.close();
});
after(async () => {
  await close();
  dir.remove();
});

const open = (protocol = 'audio.jambonz.org', authorization = AUTH) =>
  connect(`ws://127.0.0.1:${port}/ingest/fork`, { protocols: [protocol], headers: { authorization } });

const META = {
  callSid: 'c0ffee00-0000-4000-8000-000000000001',
  direction: 'inbound',
  from: '+33612345678',
  to: '+33900000000',
  metadata: { agent: 'agent-3', queue: 'billing', noticeVersion: 1, noticeEndedAt: '2026-11-02T08:59:55Z' },
};

/** 20 ms of L16 LE at `rate`, `channels` interleaved; channel c carries a tone at hz[c]. */
function l16(rate: number, hz: number[], index: number): Buffer {
  const n = (rate / 1000) * 20;
  const out = Buffer.alloc(n * hz.length * 2);
  for (let i = 0; i < n; i++) {
    hz.forEach((f, c) => {
      const v = Math.round(8000 * Math.sin((2 * Math.PI * f * (index * n + i)) / rate));
      out.writeInt16LE(v, (i * hz.length + c) * 2);
    });
  }
  return out;
}

function rms(p: Int16Array | undefined, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += (p?.[i] ?? 0) ** 2;
  return Math.sqrt(s / (to - from));
}

test('fork: a jambonz stereo stream at 8 kHz puts the caller on the customer channel (inbound)', async () => {
  const peer = await open();
  assert.equal(peer.ws.protocol, 'audio.jambonz.org');
  sendJson(peer.ws, { ...META, sampleRate: 8000, mixType: 'stereo' });
  for (let i = 0; i < 50; i++) peer.ws.send(l16(8000, [1000, 440], i));
  sendJson(peer.ws, { event: 'dtmf', dtmf: '5', duration: '1600' });
  peer.ws.close(1000);
  const m = await sink.nextEnded();
  assert.equal(m.endReason, 'completed');
  assert.equal(m.durationMs, 1000);
  assert.equal(m.dtmfCount, 1);
  assert.equal(m.facts.agentExternalId, 'agent-3');
  assert.equal(m.hadCustomerNumber, true);
  const [agent, customer] = sink.audio(m.callId);
  assert.equal(customer?.[2], Math.round(8000 * Math.sin((2 * Math.PI * 1000 * 2) / 8000)));
  assert.equal(agent?.[2], Math.round(8000 * Math.sin((2 * Math.PI * 440 * 2) / 8000)));
});

test('fork: mod_audio_fork mono at 16 kHz is low-pass decimated to 8 kHz; content above 4 kHz is removed', async () => {
  const peer = await open('audio.drachtio.org');
  sendJson(peer.ws, { sampleRate: '16k', mixType: 'mono', direction: 'outbound', noticePlayed: 'true' });
  // 1 kHz tone for 0.5 s, then a 6 kHz tone (which would alias to 2 kHz without the filter) for 0.5 s.
  for (let i = 0; i < 25; i++) peer.ws.send(l16(16000, [1000], i));
  for (let i = 25; i < 50; i++) peer.ws.send(l16(16000, [6000], i));
  peer.ws.close(1000);
  const m = await sink.nextEnded();
  assert.equal(m.durationMs, 1000);
  const [agent, customer] = sink.audio(m.callId);
  assert.ok(rms(agent, 400, 3600) > 5000, 'the 1 kHz tone passes (outbound: the caller is the agent)');
  assert.ok(rms(agent, 4400, 7600) < 400, 'the 6 kHz tone is filtered, not folded to 2 kHz');
  assert.ok(customer?.every((v) => v === 0));
});

test('fork: mixed audio cannot be split and is kept on both channels', async () => {
  const peer = await open();
  sendJson(peer.ws, { ...META, sampleRate: 8000, mixType: 'mixed' });
  for (let i = 0; i < 5; i++) peer.ws.send(l16(8000, [700], i));
  peer.ws.close(1000);
  const m = await sink.nextEnded();
  const [agent, customer] = sink.audio(m.callId);
  assert.deepEqual(agent, customer);
  assert.equal(m.durationMs, 100);
});

test('fork: wrong credentials are refused with 401 before the upgrade', async () => {
  await assert.rejects(
    open('audio.jambonz.org', `Basic ${Buffer.from('jambonz:wrong').toString('base64')}`),
    /HTTP 401/,
  );
  await assert.rejects(open('audio.jambonz.org', ''), /HTTP 401/);
});

test('fork: an unknown subprotocol is closed with 1002 naming the expected ones', async () => {
  const peer = await open('audio.example.org');
  const closed = await peer.closed;
  assert.equal(closed.code, 1002);
  assert.match(closed.reason, /^ECOUTE_FORK_SUBPROTOCOL: expected audio.jambonz.org or audio.drachtio.org/);
});

test('R-MIN-4: fork: a call not to be recorded is closed right after the metadata', async () => {
  const peer = await open();
  sendJson(peer.ws, { ...META, from: '+33100000000', sampleRate: 8000, mixType: 'mono' });
  peer.ws.send(l16(8000, [1000], 0));
  const closed = await peer.closed;
  assert.equal(closed.code, 1000);
  assert.match(closed.reason, /not recorded/);
});

for (const [name, act, code, reason] of [
  [
    'a frame of the wrong size',
    (ws: WebSocket) => ws.send(Buffer.alloc(322)),
    1003,
    /^ECOUTE_FORK_FRAME_SIZE: 322 bytes/,
  ],
  ['a malformed text frame', (ws: WebSocket) => ws.send('{"event":'), 1007, /^ECOUTE_FORK_MALFORMED/],
  [
    'an unknown event',
    (ws: WebSocket) => sendJson(ws, { event: 'hangover' }),
    1003,
    /^ECOUTE_FORK_UNKNOWN_EVENT/,
  ],
] as const) {
  test(`fork: ${name} closes that stream alone with a named error, captured audio kept`, async () => {
    const other = await open();
    sendJson(other.ws, { ...META, sampleRate: 8000, mixType: 'stereo' });
    const peer = await open();
    sendJson(peer.ws, { ...META, sampleRate: 8000, mixType: 'stereo' });
    for (let i = 0; i < 5; i++) peer.ws.send(l16(8000, [1000, 440], i));
    act(peer.ws);
    const closed = await peer.closed;
    assert.equal(closed.code, code);
    assert.match(closed.reason, reason);
    const m = await sink.nextEnded();
    assert.equal(m.endReason, 'error');
    assert.equal(m.durationMs, 100);
    for (let i = 0; i < 3; i++) other.ws.send(l16(8000, [1000, 440], i));
    other.ws.close(1000);
    const good = await sink.nextEnded();
    assert.equal(good.endReason, 'completed');
    assert.equal(good.durationMs, 60);
  });
}

test('fork: audio before the metadata frame is refused with 1002', async () => {
  const peer = await open();
  peer.ws.send(l16(8000, [1000], 0));
  const closed = await peer.closed;
  assert.equal(closed.code, 1002);
  assert.match(closed.reason, /^ECOUTE_FORK_NOT_STARTED/);
});

test('fork: metadata without sampleRate/mixType, or with 48 kHz, is refused', async () => {
  const a = await open('audio.drachtio.org');
  sendJson(a.ws, { callSid: 'x' });
  assert.match((await a.closed).reason, /^ECOUTE_FORK_MALFORMED: metadata lacks sampleRate or mixType/);
  const b = await open();
  sendJson(b.ws, { ...META, sampleRate: 48000, mixType: 'mono' });
  const closed = await b.closed;
  assert.equal(closed.code, 1003);
  assert.match(closed.reason, /^ECOUTE_FORK_FORMAT/);
});

test('fork: a client that vanishes mid-call ends the call as vanished and keeps the audio', async () => {
  const peer = await open();
  sendJson(peer.ws, { ...META, sampleRate: 8000, mixType: 'stereo' });
  for (let i = 0; i < 10; i++) peer.ws.send(l16(8000, [1000, 440], i));
  const pong = new Promise<void>((r) => peer.ws.once('pong', () => r()));
  peer.ws.ping();
  await pong;
  peer.ws.terminate();
  const m = await sink.nextEnded();
  assert.equal(m.endReason, 'vanished');
  assert.equal(m.durationMs, 200);
});

test('fork: a peer that stops answering pings is terminated and its call ends as vanished', async () => {
  const server = await wsServer((app) =>
    app.register(forkRoutes, {
      sink,
      clock,
      log: silentLogger,
      username: 'jambonz',
      password: 's3cret',
      heartbeatMs: 50,
    }),
  );
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ingest/fork`, ['audio.jambonz.org'], {
    headers: { authorization: AUTH },
    autoPong: false, // a peer whose network went away: frames were sent, pings are never answered
  });
  await new Promise<void>((r) => ws.once('open', () => r()));
  sendJson(ws, { ...META, sampleRate: 8000, mixType: 'stereo' });
  for (let i = 0; i < 5; i++) ws.send(l16(8000, [1000, 440], i));
  const m = await sink.nextEnded();
  assert.equal(m.endReason, 'vanished');
  assert.equal(m.durationMs, 100);
  ws.terminate();
  await server.app.close();
});
