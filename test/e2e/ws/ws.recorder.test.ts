/**
 * The WebSocket adapters and the import against the product's Recorder (not the test sink): real ws
 * clients speaking Twilio / AudioHook / jambonz wire formats, a real Fastify server on an ephemeral port,
 * the SQLite database and the vault on the filesystem. Checks the sealed recordings' channels and length.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/tmp.ts';
import { readChannels, toneShare, levelAt } from '../../support/audio.ts';
import { silentLogger } from '../../../src/log.ts';
import { linearToUlaw } from '../../../src/media/g711.ts';
import { recorderHarness, type RecorderHarness } from '../../../src/capture/testing/recorder.harness.ts';
import { connect, sendJson, wsServer } from '../../../src/capture/testing/ws.peer.ts';
import { encodeWav } from '../../../src/capture/testing/wav.writer.ts';
import { twilioRoutes } from '../../../src/capture/twilio/twilio.routes.ts';
import { audiohookRoutes } from '../../../src/capture/audiohook/audiohook.routes.ts';
import { forkRoutes } from '../../../src/capture/fork/fork.routes.ts';
import { importRecordings } from '../../../src/capture/import/import.runner.ts';

const dir = tempDir('ecoute-ws-e2e-');
let h: RecorderHarness;
let port = 0;
let close: () => Promise<void>;
const TOKEN = 'tok';

before(async () => {
  h = await recorderHarness(dir.path);
  const deps = { sink: h.recorder, clock: h.clock, log: silentLogger };
  const server = await wsServer(async (app) => {
    await app.register(twilioRoutes, { ...deps, authToken: TOKEN });
    await app.register(audiohookRoutes, { ...deps, apiKey: 'KEY', clientSecret: undefined });
    await app.register(forkRoutes, { ...deps, username: 'u', password: 'p' });
  });
  port = server.port;
  close = () => server.app.close();
});
after(async () => {
  await close();
  await h.close();
  dir.remove();
});

const FACTS = () => ({ extension: '1001', noticeVersion: '2', noticeEndedAt: String(h.clock.now()) });
const tone = (hz: number, i: number) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
const ulawFrame = (hz: number, f: number) =>
  Buffer.from(Array.from({ length: 160 }, (_, i) => linearToUlaw(tone(hz, f * 160 + i))));

async function sealed(nth: number) {
  const e = await h.events.wait(
    (x) => x.kind === 'sealed' && h.events.events.filter((y) => y.kind === 'sealed').indexOf(x) === nth,
  );
  const rec = (await h.db.recordings.search({ callId: e.callId })).items[0];
  assert.ok(rec);
  return { rec, ch: await readChannels(h.vault, rec.id) };
}

test('Twilio → Recorder: sealed with outbound on the agent channel, inbound on the customer channel', async () => {
  const url = `ws://127.0.0.1:${port}/ingest/twilio?ts=${Math.floor(h.clock.now() / 1000)}&nonce=e2e1`;
  const peer = await connect(url, {
    headers: { 'X-Twilio-Signature': createHmac('sha1', TOKEN).update(url).digest('base64') },
  });
  let seq = 0;
  sendJson(peer.ws, { event: 'connected', protocol: 'Call', version: '1.0.0' });
  sendJson(peer.ws, {
    event: 'start',
    sequenceNumber: String(++seq),
    streamSid: 'MZ1',
    start: {
      streamSid: 'MZ1',
      accountSid: 'AC1',
      callSid: 'CA1',
      tracks: ['inbound', 'outbound'],
      customParameters: FACTS(),
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
  for (let f = 0; f < 100; f++) {
    for (const [track, hz] of [
      ['inbound', 1000],
      ['outbound', 440],
    ] as const) {
      sendJson(peer.ws, {
        event: 'media',
        sequenceNumber: String(++seq),
        streamSid: 'MZ1',
        media: {
          track,
          chunk: String(f + 1),
          timestamp: String(f * 20),
          payload: ulawFrame(hz, f).toString('base64'),
        },
      });
    }
  }
  sendJson(peer.ws, { event: 'stop', sequenceNumber: String(++seq), streamSid: 'MZ1', stop: {} });
  const { rec, ch } = await sealed(0);
  assert.equal(rec.state, 'sealed');
  assert.ok(Math.abs(ch.seconds - 2) < 0.1, `seconds ${ch.seconds}`);
  assert.ok(toneShare(ch.agent, 440, 200, 1800) > 0.9);
  assert.ok(toneShare(ch.customer, 1000, 200, 1800) > 0.9);
});

test('R-PCI-1: AudioHook → Recorder: the paused period holds no audio', async () => {
  const id = randomUUID();
  const peer = await connect(`ws://127.0.0.1:${port}/ingest/audiohook`, {
    headers: {
      'x-api-key': 'KEY',
      'audiohook-session-id': id,
      'audiohook-organization-id': 'org',
      'audiohook-correlation-id': 'c',
    },
  });
  let seq = 0;
  const send = (type: string, parameters: Record<string, unknown> = {}) =>
    sendJson(peer.ws, { version: '2', id, type, seq: ++seq, serverseq: 0, position: 'PT0S', parameters });
  send('open', {
    organizationId: 'org',
    conversationId: randomUUID(),
    participant: { id: 'p', ani: '+33612345678' },
    media: [{ type: 'audio', format: 'PCMU', channels: ['external', 'internal'], rate: 8000 }],
    customConfig: FACTS(),
  });
  assert.deepEqual(((await peer.next()).parameters as { media: unknown[] }).media.length, 1);
  const frame = (f: number) =>
    Buffer.from(
      Array.from({ length: 1600 }, (_, i) => linearToUlaw(tone(i % 2 ? 440 : 1000, f * 800 + (i >> 1)))),
    );
  for (let f = 0; f < 10; f++) peer.ws.send(frame(f));
  send('paused');
  for (let f = 10; f < 20; f++) peer.ws.send(frame(f)); // must never be stored
  send('resumed', { start: 'PT2S', discarded: 'PT0S' });
  for (let f = 20; f < 30; f++) peer.ws.send(frame(f));
  send('close', { reason: 'end' });
  const { ch } = await sealed(1);
  assert.ok(toneShare(ch.customer, 1000, 100, 900) > 0.9);
  assert.ok(levelAt(ch.customer, 1100, 1900) < 50, 'paused audio is not in the recording');
  assert.ok(levelAt(ch.agent, 1100, 1900) < 50);
});

test('fork → Recorder: a client that vanishes mid-call is sealed with what was captured', async () => {
  const peer = await connect(`ws://127.0.0.1:${port}/ingest/fork`, {
    protocols: ['audio.jambonz.org'],
    headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
  });
  sendJson(peer.ws, {
    callSid: 'j1',
    direction: 'inbound',
    from: '+33612345678',
    sampleRate: 8000,
    mixType: 'stereo',
    metadata: FACTS(),
  });
  for (let f = 0; f < 50; f++) {
    const b = Buffer.alloc(640);
    for (let i = 0; i < 160; i++) {
      b.writeInt16LE(tone(1000, f * 160 + i), i * 4);
      b.writeInt16LE(tone(440, f * 160 + i), i * 4 + 2);
    }
    peer.ws.send(b);
  }
  const pong = new Promise<void>((r) => peer.ws.once('pong', () => r()));
  peer.ws.ping();
  await pong;
  peer.ws.terminate();
  const { ch } = await sealed(2);
  assert.ok(Math.abs(ch.seconds - 1) < 0.1, `seconds ${ch.seconds}`);
  assert.ok(
    toneShare(ch.customer, 1000, 100, 900) > 0.9,
    'caller of an inbound call on the customer channel',
  );
  assert.ok(toneShare(ch.agent, 440, 100, 900) > 0.9);
});

test('import → Recorder: a PBX WAV is sealed, retention counted from the call date', async () => {
  // The example policy caps recordings at 3 per agent per day (R-PUR-3): the calls above used them up,
  // so the import runs on a fresh stack.
  const fresh = await recorderHarness(join(dir.path, 'import'));
  const wavs = join(dir.path, 'wavs');
  mkdirSync(wavs);
  writeFileSync(
    join(wavs, 'a.wav'),
    encodeWav([
      Int16Array.from({ length: 8000 }, (_, i) => tone(440, i)),
      Int16Array.from({ length: 8000 }, (_, i) => tone(1000, i)),
    ]),
  );
  const startedAt = h.clock.now() - 3_600_000;
  writeFileSync(
    join(dir.path, 'cdr.json'),
    JSON.stringify([{ f: 'a.wav', at: startedAt, ext: '1001', nv: 2, ne: startedAt }]),
  );
  writeFileSync(
    join(dir.path, 'map.yaml'),
    'facts: cdr.json\ncolumns: { file: f, startedAt: at, extension: ext, noticeVersion: nv, noticeEndedAt: ne }\n',
  );
  try {
    const s = await importRecordings({
      dir: wavs,
      mappingFile: join(dir.path, 'map.yaml'),
      sink: fresh.recorder,
    });
    assert.equal(s.imported, 1, JSON.stringify(s));
    const e = await fresh.events.wait((x) => x.kind === 'sealed');
    const rec = (await fresh.db.recordings.search({ callId: e.callId })).items[0];
    assert.ok(rec);
    assert.equal(rec.startedAt, startedAt);
    assert.equal(
      rec.expiresAt,
      startedAt + 30 * 86_400_000,
      'the policy retention, counted from the call date',
    );
    const ch = await readChannels(fresh.vault, rec.id);
    assert.ok(toneShare(ch.agent, 440, 100, 900) > 0.9);
    assert.ok(toneShare(ch.customer, 1000, 100, 900) > 0.9);
  } finally {
    await fresh.close();
  }
});
