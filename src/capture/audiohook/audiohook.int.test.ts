/**
 * AudioHook v2 end to end: a real `ws` client speaking the Genesys wire format (PROTOCOLS.md B.4: JSON
 * control messages, interleaved binary audio, HTTP Message Signatures on the upgrade, written out here)
 * against a real Fastify server on an ephemeral port, into the RecordingSink.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { FakeClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { linearToUlaw, ulawToLinear } from '../../media/g711.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { RecordingSink } from '../testing/recording.sink.ts';
import { connect, sendJson, wsServer, type Peer } from '../testing/ws.peer.ts';
import { audiohookRoutes } from './audiohook.routes.ts';

const API_KEY = 'ah-api-key-0123456789';
const SECRET = randomBytes(32).toString('base64');
const ORG = 'd7934305-0972-4844-938e-9060eef73d05';
const clock = new FakeClock('2026-11-02T09:00:00Z');
const dir = tempDir('ecoute-audiohook-');
const sink = new RecordingSink({ dir: dir.path, record: (f) => f.customerNumber !== 'tel:+33100000000' });
let port = 0;
let close: () => Promise<void>;

before(async () => {
  const server = await wsServer((app) =>
    app.register(audiohookRoutes, { sink, clock, log: silentLogger, apiKey: API_KEY, clientSecret: SECRET }),
  );
  port = server.port;
  close = () => server.app.close();
});
after(async () => {
  await close();
  dir.remove();
});

interface SignOptions {
  secret?: string;
  created?: number;
  nonce?: string;
  apiKey?: string;
  tamperOrg?: boolean;
}

/** Genesys' client side of the upgrade, written independently: signature base, then HMAC-SHA256. */
function upgradeHeaders(sessionId: string, o: SignOptions = {}): Record<string, string> {
  const h: Record<string, string> = {
    'audiohook-organization-id': ORG,
    'audiohook-session-id': sessionId,
    'audiohook-correlation-id': randomUUID(),
    'x-api-key': o.apiKey ?? API_KEY,
  };
  const authority = `127.0.0.1:${port}`;
  const created = o.created ?? Math.floor(clock.now() / 1000);
  const params = `("@request-target" "@authority" "audiohook-organization-id" "audiohook-session-id" "audiohook-correlation-id" "x-api-key");keyid="${h['x-api-key']}";nonce="${o.nonce ?? randomBytes(18).toString('base64')}";alg="hmac-sha256";created=${created};expires=${created + 30}`;
  const base = [
    `"@request-target": /ingest/audiohook`,
    `"@authority": ${authority}`,
    `"audiohook-organization-id": ${h['audiohook-organization-id']}`,
    `"audiohook-session-id": ${sessionId}`,
    `"audiohook-correlation-id": ${h['audiohook-correlation-id']}`,
    `"x-api-key": ${h['x-api-key']}`,
    `"@signature-params": ${params}`,
  ].join('\n');
  const sig = createHmac('sha256', Buffer.from(o.secret ?? SECRET, 'base64'))
    .update(base)
    .digest('base64');
  if (o.tamperOrg) h['audiohook-organization-id'] = randomUUID();
  return { ...h, 'signature-input': `sig1=${params}`, signature: `sig1=:${sig}:` };
}

class Client {
  seq = 0;
  constructor(
    readonly peer: Peer,
    readonly id: string,
  ) {}
  send(type: string, parameters: Record<string, unknown> = {}, seq = ++this.seq): void {
    sendJson(this.peer.ws, {
      version: '2',
      id: this.id,
      type,
      seq,
      serverseq: 0,
      position: 'PT0S',
      parameters,
    });
  }
  open(conversationId = randomUUID(), ani = 'tel:+33612345678', media?: unknown[]): void {
    this.send('open', {
      organizationId: ORG,
      conversationId,
      participant: { id: randomUUID(), ani, aniName: 'Jeanne', dnis: 'tel:+33900000000' },
      media: media ?? [
        { type: 'audio', format: 'PCMU', channels: ['external'], rate: 8000 },
        { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
        { type: 'audio', format: 'L16', channels: ['external', 'internal'], rate: 8000 },
      ],
      customConfig: {
        queue: 'support',
        agent: 'agent-42',
        noticeVersion: 2,
        noticeEndedAt: '2026-11-02T08:59:50Z',
      },
    });
  }
  /** 100 ms of interleaved stereo PCMU: external 1 kHz, internal 440 Hz. */
  frame(index: number): void {
    this.peer.ws.send(stereoFrame(index));
  }
}

function tone(hz: number, at: number): number {
  return Math.round(8000 * Math.sin((2 * Math.PI * hz * at) / 8000));
}
function stereoFrame(index: number): Buffer {
  const out = Buffer.alloc(1600);
  for (let i = 0; i < 800; i++) {
    out[2 * i] = linearToUlaw(tone(1000, index * 800 + i));
    out[2 * i + 1] = linearToUlaw(tone(440, index * 800 + i));
  }
  return out;
}

async function session(o: SignOptions = {}): Promise<Client> {
  const id = randomUUID();
  const peer = await connect(`ws://127.0.0.1:${port}/ingest/audiohook`, { headers: upgradeHeaders(id, o) });
  return new Client(peer, id);
}

async function opened(c: Client): Promise<Record<string, unknown>> {
  const m = await c.peer.next();
  assert.equal(m.type, 'opened');
  return m;
}

test('AudioHook: a signed session is recorded; external is the customer channel, internal the agent', async () => {
  const c = await session();
  c.open();
  const o = await opened(c);
  assert.deepEqual((o.parameters as { media: unknown[] }).media, [
    { type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 },
  ]);
  assert.equal(o.seq, 1);
  assert.equal(o.clientseq, 1);
  for (let i = 0; i < 10; i++) c.frame(i);
  c.send('ping', { rtt: 'PT0.05S' });
  const pong = await c.peer.next();
  assert.equal(pong.type, 'pong');
  c.send('close', { reason: 'end' });
  assert.equal((await c.peer.next()).type, 'closed');
  const m = await sink.nextEnded();
  assert.equal(m.endReason, 'completed');
  assert.equal(m.durationMs, 1000);
  assert.equal(m.facts.queue, 'support');
  assert.equal(m.protocol.ids.sessionId, c.id);
  const [agent, customer] = sink.audio(m.callId);
  assert.equal(customer?.[8], ulawToLinear(linearToUlaw(tone(1000, 8))));
  assert.equal(agent?.[8], ulawToLinear(linearToUlaw(tone(440, 8))));
  assert.equal(agent?.length, 8000);
});

test('R-PCI-1: AudioHook: a secure pause keeps no audio and the discarded period is a gap', async () => {
  const c = await session();
  c.open();
  await opened(c);
  for (let i = 0; i < 5; i++) c.frame(i);
  c.send('paused');
  c.frame(5); // a frame sent during the pause must not be kept
  c.send('resumed', { start: 'PT0.6S', discarded: 'PT2S' });
  for (let i = 6; i < 11; i++) c.frame(i);
  c.send('close', { reason: 'end' });
  await c.peer.closed;
  const m = await sink.nextEnded();
  assert.equal(m.durationMs, 500 + 100 + 2000 + 500);
  assert.deepEqual(m.pauses, [{ startMs: 500, endMs: 2600, reason: 'audiohook-paused' }]);
  assert.deepEqual(m.gaps, [{ atMs: 600, ms: 2000, kind: 'discarded', channel: 'both' }]);
  const [agent, customer] = sink.audio(m.callId);
  assert.ok(customer?.subarray(4000, 20800).every((v) => v === 0));
  assert.ok(agent?.subarray(4000, 20800).every((v) => v === 0));
  assert.notEqual(customer?.[20802], 0);
});

test('AudioHook: discarded audio becomes a gap', async () => {
  const c = await session();
  c.open();
  await opened(c);
  c.frame(0);
  c.send('discarded', { start: 'PT0.1S', discarded: 'PT0.3S' });
  c.frame(1);
  c.send('close', { reason: 'end' });
  const m = await sink.nextEnded();
  assert.equal(m.durationMs, 500);
  assert.deepEqual(m.gaps, [{ atMs: 100, ms: 300, kind: 'discarded', channel: 'both' }]);
});

test('AudioHook: the connection probe is answered with empty media and starts nothing', async () => {
  const before = sink.started.length + sink.refused.length;
  const c = await session();
  c.open('00000000-0000-0000-0000-000000000000');
  const o = await opened(c);
  assert.deepEqual((o.parameters as { media: unknown[] }).media, []);
  assert.equal(sink.started.length + sink.refused.length, before);
  c.send('close', { reason: 'end' });
  assert.equal((await c.peer.next()).type, 'closed');
});

test('R-MIN-4: AudioHook: a call not to be recorded is opened with empty media', async () => {
  const c = await session();
  c.open(randomUUID(), 'tel:+33100000000');
  const o = await opened(c);
  assert.deepEqual((o.parameters as { media: unknown[] }).media, []);
  c.send('close', { reason: 'end' });
  await c.peer.closed;
  assert.equal(sink.refused.at(-1)?.name, 'audiohook');
});

for (const [name, o] of [
  ['a wrong secret', { secret: randomBytes(32).toString('base64') }],
  ['a wrong API key', { apiKey: 'not-the-key' }],
  ['a signature too old', { created: Math.floor(clock.now() / 1000) - 30 }],
  ['a header changed after signing', { tamperOrg: true }],
] as const) {
  test(`AudioHook: ${name} is answered with disconnect unauthorized after >= 500 ms, with no hint`, async () => {
    const c = await session(o);
    const t0 = performance.now();
    c.open();
    const m = await c.peer.next();
    assert.ok(performance.now() - t0 >= 490, 'answered too soon');
    assert.equal(m.type, 'disconnect');
    assert.deepEqual(m.parameters, { reason: 'unauthorized' });
    c.send('close', { reason: 'end' });
    assert.equal((await c.peer.next()).type, 'closed');
  });
}

test('AudioHook: a replayed nonce is refused', async () => {
  const nonce = randomBytes(18).toString('base64');
  const first = await session({ nonce });
  first.open();
  await opened(first);
  const second = await session({ nonce });
  second.open();
  const m = await second.peer.next();
  assert.deepEqual(m.parameters, { reason: 'unauthorized' });
  first.send('close', { reason: 'end' });
  await first.peer.closed;
  await sink.nextEnded();
});

test('AudioHook: an out-of-order seq disconnects with error and keeps what was captured', async () => {
  const c = await session();
  c.open();
  await opened(c);
  c.frame(0);
  c.frame(1);
  c.send('ping', {}, 5);
  const m = await c.peer.next();
  assert.equal(m.type, 'disconnect');
  const p = m.parameters as { reason: string; info: string };
  assert.equal(p.reason, 'error');
  assert.match(p.info, /^ECOUTE_AUDIOHOOK_SEQUENCE: expected seq 2, got 5/);
  const rec = await sink.nextEnded();
  assert.equal(rec.endReason, 'error');
  assert.equal(rec.durationMs, 200);
  c.send('close', { reason: 'end' }, 6);
  assert.equal((await c.peer.next()).type, 'closed');
});

for (const [name, act, info] of [
  ['a malformed frame', (c: Client) => c.peer.ws.send('{"version":"2",'), /^ECOUTE_AUDIOHOOK_MALFORMED/],
  [
    'a frame of the wrong size',
    (c: Client) => c.peer.ws.send(Buffer.alloc(1599)),
    /^ECOUTE_AUDIOHOOK_FRAME_SIZE: 1599 bytes/,
  ],
  ['an unknown type', (c: Client) => c.send('teleport'), /^ECOUTE_AUDIOHOOK_UNKNOWN_TYPE/],
] as const) {
  test(`AudioHook: ${name} disconnects that session alone with a named error`, async () => {
    const other = await session();
    other.open();
    await opened(other);
    const c = await session();
    c.open();
    await opened(c);
    c.frame(0);
    act(c);
    const m = await c.peer.next();
    assert.equal(m.type, 'disconnect');
    assert.match((m.parameters as { info: string }).info, info);
    const rec = await sink.nextEnded();
    assert.equal(rec.endReason, 'error');
    assert.equal(rec.durationMs, 100);
    other.frame(0);
    other.frame(1);
    other.send('close', { reason: 'end' });
    const good = await sink.nextEnded();
    assert.equal(good.endReason, 'completed');
    assert.equal(good.durationMs, 200);
  });
}

test('AudioHook: audio before open is refused', async () => {
  const c = await session();
  c.frame(0);
  const m = await c.peer.next();
  assert.equal(m.type, 'disconnect');
  assert.match((m.parameters as { info: string }).info, /^ECOUTE_AUDIOHOOK_UNEXPECTED_AUDIO/);
});

test('AudioHook: a client that vanishes mid-call ends the call as vanished and keeps the audio', async () => {
  const c = await session();
  c.open();
  await opened(c);
  for (let i = 0; i < 3; i++) c.frame(i);
  c.send('ping');
  await c.peer.next();
  c.peer.ws.terminate();
  const m = await sink.nextEnded();
  assert.equal(m.endReason, 'vanished');
  assert.equal(m.durationMs, 300);
});

test('AudioHook: L16 mono offers are decoded little-endian onto the offered channel', async () => {
  const c = await session();
  c.open(randomUUID(), 'tel:+33612345678', [
    { type: 'audio', format: 'L16', channels: ['internal'], rate: 8000 },
  ]);
  await opened(c);
  const pcm = Buffer.alloc(320);
  for (let i = 0; i < 160; i++) pcm.writeInt16LE(i * 100 - 8000, i * 2);
  c.peer.ws.send(pcm);
  c.send('close', { reason: 'end' });
  const m = await sink.nextEnded();
  const [agent, customer] = sink.audio(m.callId);
  assert.equal(agent?.[159], 159 * 100 - 8000);
  assert.ok(customer?.every((v) => v === 0));
});
