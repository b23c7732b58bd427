/**
 * Twilio Media Streams end to end: a real `ws` client speaking Twilio's wire format (PROTOCOLS.md B.3,
 * written out here) against a real Fastify server on an ephemeral port, into the RecordingSink.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import type WebSocket from 'ws';
import { FakeClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { linearToUlaw, ulawToLinear } from '../../media/g711.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { RecordingSink } from '../testing/recording.sink.ts';
import { connect, sendJson, wsServer } from '../testing/ws.peer.ts';
import { twilioRoutes } from './twilio.routes.ts';

const TOKEN = 'twilio-auth-token-for-tests';
const clock = new FakeClock('2026-11-02T09:00:00Z');
const dir = tempDir('ecoute-twilio-');
const recordCustomer = (n: string | undefined) => n !== '+33100000000';
const sink = new RecordingSink({ dir: dir.path, record: (f) => recordCustomer(f.customerNumber) });
let port = 0;
let close: () => Promise<void>;

before(async () => {
  const server = await wsServer((app) =>
    app.register(twilioRoutes, { sink, clock, log: silentLogger, authToken: TOKEN }),
  );
  port = server.port;
  close = () => server.app.close();
});
after(async () => {
  await close();
  dir.remove();
});

let nonce = 0;
function signedUrl(tsSeconds = Math.floor(clock.now() / 1000)): { url: string; signature: string } {
  const url = `ws://127.0.0.1:${port}/ingest/twilio?ts=${tsSeconds}&nonce=n${++nonce}`;
  // Twilio's algorithm, written independently of Ecoute's: HMAC-SHA1 over the URL, base64.
  return { url, signature: createHmac('sha1', TOKEN).update(url).digest('base64') };
}

async function openStream(headers?: Record<string, string>) {
  const { url, signature } = signedUrl();
  return connect(url, { headers: headers ?? { 'X-Twilio-Signature': signature } });
}

/** A 20 ms µ-law frame of a tone; frequency tells the tracks apart. */
function toneFrame(hz: number, index: number): Buffer {
  const out = Buffer.alloc(160);
  for (let i = 0; i < 160; i++) {
    out[i] = linearToUlaw(Math.round(8000 * Math.sin((2 * Math.PI * hz * (index * 160 + i)) / 8000)));
  }
  return out;
}

class Stream {
  seq = 0;
  readonly chunks = { inbound: 0, outbound: 0 };
  constructor(readonly ws: WebSocket) {}
  start(customParameters: Record<string, string> = {}): void {
    sendJson(this.ws, { event: 'connected', protocol: 'Call', version: '1.0.0' });
    sendJson(this.ws, {
      event: 'start',
      sequenceNumber: String(++this.seq),
      streamSid: 'MZ00000000000000000000000000000001',
      start: {
        streamSid: 'MZ00000000000000000000000000000001',
        accountSid: 'AC00000000000000000000000000000001',
        callSid: 'CA00000000000000000000000000000001',
        tracks: ['inbound', 'outbound'],
        customParameters,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
  }
  media(track: 'inbound' | 'outbound', index: number, payload: Buffer): void {
    sendJson(this.ws, {
      event: 'media',
      sequenceNumber: String(++this.seq),
      streamSid: 'MZ00000000000000000000000000000001',
      media: {
        track,
        chunk: String(++this.chunks[track]),
        timestamp: String(index * 20),
        payload: payload.toString('base64'),
      },
    });
  }
  /** Both tracks for frames [from, to): agent (outbound) 440 Hz, customer (inbound) 1 kHz. */
  talk(from: number, to: number, skipInbound: (i: number) => boolean = () => false): void {
    for (let i = from; i < to; i++) {
      if (!skipInbound(i)) this.media('inbound', i, toneFrame(1000, i));
      this.media('outbound', i, toneFrame(440, i));
    }
  }
  event(event: string, body: Record<string, unknown> = {}): void {
    sendJson(this.ws, { event, sequenceNumber: String(++this.seq), streamSid: 'MZ1', ...body });
  }
}

const FACTS = {
  agent: 'agent-7',
  queue: 'sales',
  direction: 'inbound',
  noticeVersion: '3',
  noticeEndedAt: '1793610000000',
};

function expectedTone(hz: number, frames: number): Int16Array {
  const out = new Int16Array(frames * 160);
  for (let f = 0; f < frames; f++) {
    toneFrame(hz, f).forEach((b, i) => (out[f * 160 + i] = ulawToLinear(b)));
  }
  return out;
}

test('Twilio: a signed stream is recorded, outbound track on the agent channel and inbound on the customer channel', async () => {
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.start({ ...FACTS, customerNumber: '+33612345678' });
  s.talk(0, 50);
  s.event('mark', { mark: { name: 'greeting' } });
  s.event('stop', { stop: { accountSid: 'AC1', callSid: 'CA1' } });
  const m = await sink.nextEnded();
  assert.equal((await peer.closed).code, 1000);
  assert.equal(m.endReason, 'completed');
  assert.equal(m.durationMs, 1000);
  assert.deepEqual(m.gaps, []);
  assert.equal(m.protocol.ids.callSid, 'CA00000000000000000000000000000001');
  assert.equal(m.facts.agentExternalId, 'agent-7');
  assert.equal(m.facts.noticeVersion, 3);
  assert.equal(m.facts.noticePlayed, true);
  assert.equal(m.hadCustomerNumber, true);
  const [agent, customer] = sink.audio(m.callId);
  assert.deepEqual(agent, expectedTone(440, 50));
  assert.deepEqual(customer, expectedTone(1000, 50));
});

test('Twilio: chunks missing from the timestamps become a lost gap on that channel only', async () => {
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.start(FACTS);
  s.talk(0, 50, (i) => i >= 10 && i < 15);
  s.event('stop', { stop: {} });
  const m = await sink.nextEnded();
  assert.equal(m.durationMs, 1000);
  assert.deepEqual(m.gaps, [{ atMs: 200, ms: 100, kind: 'lost', channel: 1 }]);
  const [, customer] = sink.audio(m.callId);
  assert.ok(customer?.subarray(1600, 2400).every((v) => v === 0));
  assert.equal(customer?.[2400], ulawToLinear(toneFrame(1000, 15)[0] as number));
});

for (const [name, headers] of [
  ['unsigned', {}],
  ['bad signature', { 'X-Twilio-Signature': createHmac('sha1', 'wrong').update('x').digest('base64') }],
] as const) {
  test(`Twilio: an ${name} upgrade is refused with 403 and nothing starts`, async () => {
    const before = sink.started.length;
    await assert.rejects(openStream(headers), /HTTP 403/);
    assert.equal(sink.started.length, before);
  });
}

test('Twilio: a stale URL timestamp and a replayed signature are refused', async () => {
  const old = signedUrl(Math.floor(clock.now() / 1000) - 120);
  await assert.rejects(connect(old.url, { headers: { 'X-Twilio-Signature': old.signature } }), /HTTP 403/);
  const fresh = signedUrl();
  const first = await connect(fresh.url, { headers: { 'X-Twilio-Signature': fresh.signature } });
  await assert.rejects(
    connect(fresh.url, { headers: { 'X-Twilio-Signature': fresh.signature } }),
    /HTTP 403/,
  );
  first.ws.close();
  await first.closed;
});

test('R-MIN-4: Twilio: a call not to be recorded is closed right after start and nothing is stored', async () => {
  const files = readdirSync(dir.path).length;
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.start({ ...FACTS, customerNumber: '+33100000000' });
  s.talk(0, 5);
  const closed = await peer.closed;
  assert.equal(closed.code, 1000);
  assert.match(closed.reason, /not recorded/);
  assert.equal(readdirSync(dir.path).length, files);
});

test('Twilio: an out-of-order sequenceNumber closes with 1002 and keeps what was captured', async () => {
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.start(FACTS);
  s.talk(0, 10);
  s.seq += 1; // skip one
  s.talk(10, 11);
  const closed = await peer.closed;
  const m = await sink.nextEnded();
  assert.equal(closed.code, 1002);
  assert.match(closed.reason, /^ECOUTE_TWILIO_SEQUENCE: expected sequenceNumber 22, got 23/);
  assert.equal(m.endReason, 'error');
  assert.equal(m.durationMs, 200);
});

for (const [name, send, code, reason] of [
  ['malformed JSON', (ws: WebSocket) => ws.send('{"event":"media",'), 1007, /^ECOUTE_TWILIO_MALFORMED/],
  [
    'an unknown event',
    (ws: WebSocket) => sendJson(ws, { event: 'teleport' }),
    1003,
    /^ECOUTE_TWILIO_UNKNOWN_EVENT/,
  ],
  ['a binary frame', (ws: WebSocket) => ws.send(Buffer.alloc(161)), 1003, /^ECOUTE_TWILIO_BINARY_FRAME/],
  [
    'a payload that is not base64',
    (ws: WebSocket) =>
      sendJson(ws, {
        event: 'media',
        sequenceNumber: '2',
        media: { track: 'inbound', chunk: '1', timestamp: '0', payload: '!!!' },
      }),
    1007,
    /^ECOUTE_TWILIO_MALFORMED: media: media.payload is not base64/,
  ],
] as const) {
  test(`Twilio: ${name} mid-call closes that call alone with a named error, captured audio kept`, async () => {
    const other = await openStream();
    const good = new Stream(other.ws);
    good.start(FACTS);
    const peer = await openStream();
    const s = new Stream(peer.ws);
    s.start(FACTS);
    s.talk(0, 5);
    send(peer.ws);
    const closed = await peer.closed;
    assert.equal(closed.code, code);
    assert.match(closed.reason, reason);
    const m = await sink.nextEnded();
    assert.equal(m.endReason, 'error');
    assert.equal(m.durationMs, 100);
    good.talk(0, 5);
    good.event('stop', {});
    const g = await sink.nextEnded();
    assert.equal(g.endReason, 'completed');
    assert.equal(g.durationMs, 100);
  });
}

test('Twilio: media before start closes with 1002 and records nothing', async () => {
  const before = sink.started.length;
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.media('inbound', 0, toneFrame(1000, 0));
  const closed = await peer.closed;
  assert.equal(closed.code, 1002);
  assert.match(closed.reason, /^ECOUTE_TWILIO_NOT_STARTED: media before start/);
  assert.equal(sink.started.length, before);
});

test('Twilio: a client that vanishes mid-call ends the call as vanished and keeps what was captured', async () => {
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.start(FACTS);
  s.talk(0, 25);
  // The server handles frames in order, so its pong means it has handled every media frame before.
  const pong = new Promise<void>((r) => peer.ws.once('pong', () => r()));
  peer.ws.ping();
  await pong;
  peer.ws.terminate();
  const m = await sink.nextEnded();
  assert.equal(m.endReason, 'vanished');
  assert.equal(m.durationMs, 500);
});

test('R-CAL-2: Twilio: a dtmf objection key reaches the call and the captured audio is destroyed', async () => {
  const peer = await openStream();
  const s = new Stream(peer.ws);
  s.start(FACTS);
  s.talk(0, 10);
  s.event('dtmf', { dtmf: { track: 'inbound_track', digit: '9' } });
  s.talk(10, 20);
  s.event('stop', {});
  const m = await sink.nextEnded();
  assert.equal(m.objected, true);
  assert.equal(m.dtmfCount, 1);
  assert.equal(m.durationMs, 0);
  assert.ok(existsSync(`${dir.path}/${m.callId}.json`));
});

test('Twilio: the upgrade is refused when no auth token is configured', async () => {
  const server = await wsServer((app) =>
    app.register(twilioRoutes, { sink, clock, log: silentLogger, authToken: undefined }),
  );
  const url = `ws://127.0.0.1:${server.port}/ingest/twilio?ts=${Math.floor(clock.now() / 1000)}`;
  const signature = createHmac('sha1', TOKEN).update(url).digest('base64');
  await assert.rejects(connect(url, { headers: { 'X-Twilio-Signature': signature } }), /HTTP 403/);
  await server.app.close();
});
