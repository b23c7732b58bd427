/**
 * Recordings recovered after a crash (issue 10): a recorder writes a call's spool and "crashes" (the
 * call is never ended, the store connection is dropped); a new recorder on the same directory and store
 * recovers the spool into the vault as `interrupted` and fires `sealed` for it, so that what follows a
 * seal (the analytics job, the `recording.sealed` webhook) is not skipped. The second test restarts a
 * whole node on the crashed data and finds both jobs queued.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { openDatabase, type Db } from '../db/index.ts';
import { silentLogger } from '../log.ts';
import { startEcoute } from '../main.ts';
import { sine } from '../media/tones.ts';
import type { SpoolWriter } from '../vault/spool.ts';
import type { Vault } from '../vault/vault.ts';
import { WebhookEndpoints } from '../webhooks/endpoints.ts';
import { readChannels, toneShare } from '../../test/support/audio.ts';
import { tempDir } from '../../test/support/tmp.ts';
import type { CallFactsInput, CallHandle } from './capture.port.ts';
import { EXAMPLE_POLICY, recorderHarness, type RecorderHarness } from './testing/recorder.harness.ts';

const facts = (h: RecorderHarness): CallFactsInput => ({
  startedAt: h.clock.now(),
  direction: 'inbound',
  agentExtension: '1001',
  customerNumber: '+33 6 12 34 56 78',
  noticePlayed: true,
  noticeVersion: 2,
  noticeEndedAt: h.clock.now(),
  objectionSignalled: false,
  personalCall: false,
  protectedLine: false,
});

/** Pushes `ms` of audio in 20 ms frames: 440 Hz for the agent, 1000 Hz for the customer. */
function play(handle: CallHandle, ms: number): void {
  const agent = sine(440, ms);
  const customer = sine(1000, ms);
  for (let i = 0; i < agent.length; i += 160) {
    handle.push(0, agent.subarray(i, i + 160));
    handle.push(1, customer.subarray(i, i + 160));
  }
}

/**
 * The spool writers the vault opens for the recorder, kept so that the test can wait until the audio is
 * on disk (what a crash keeps) instead of sleeping: the vault and its writers stay the real ones.
 */
function keepSpoolWriters(vault: Vault): SpoolWriter[] {
  const writers: SpoolWriter[] = [];
  const open = vault.openSpool.bind(vault);
  vault.openSpool = async (id, opts) => {
    const w = await open(id, opts);
    writers.push(w);
    return w;
  };
  return writers;
}

/** Records `ms` of a call into the spool of a recorder at `dir`, then drops it without ending the call. */
async function crashMidCall(dir: string, ms: number): Promise<{ callId: string; recordingId: string }> {
  const crashed = await recorderHarness(dir);
  const writers = keepSpoolWriters(crashed.vault);
  const handle = await crashed.recorder.start(facts(crashed), {
    name: 'twilio',
    ids: { callSid: 'CA-crash' },
  });
  assert.ok(handle, 'the call is recorded');
  play(handle, ms);
  const [spool] = writers;
  assert.ok(spool, 'the recorder opened a spool');
  await spool.flush(); // every whole chunk is on disk
  const recordingId = spool.recordingId;
  assert.equal((await crashed.db.recordings.get(recordingId))?.state, 'recording');
  await new WebhookEndpoints(crashed.db.settings, crashed.clock).add({
    url: 'http://127.0.0.1:9/hooks',
    events: ['recording.sealed'],
    by: 'admin',
  });
  assert.deepEqual(
    crashed.events.events.filter((e) => e.kind === 'sealed'),
    [],
    'nothing sealed before the crash',
  );
  await crashed.close(); // the process is gone: the call never ends, the spool stays as it was
  return { callId: handle.callId, recordingId };
}

test('a recording recovered after a crash fires `sealed` once, marked interrupted; a call ended normally is not', async (t) => {
  const tmp = tempDir('ecoute-recover-');
  t.after(tmp.remove);
  // 3.5 s played: three whole 1 s chunks on disk, the rest in the chunk being filled (lost in a crash).
  const { callId, recordingId } = await crashMidCall(tmp.path, 3500);

  const next = await recorderHarness(tmp.path); // the restart: same directories, same store
  t.after(() => next.close());
  assert.deepEqual(await next.recorder.recover(), { sealed: 1, failed: 0 });
  const rec = await next.db.recordings.get(recordingId);
  assert.equal(rec?.state, 'interrupted');
  assert.deepEqual(next.events.events, [{ kind: 'sealed', callId, recordingId, interrupted: true }]);
  const ch = await readChannels(next.vault, recordingId);
  assert.ok(Math.abs(ch.seconds - 3) < 0.15, `the 3 s on disk are recovered (${ch.seconds} s)`);
  assert.ok(toneShare(ch.agent, 440, 300, 2700) > 0.9, 'the agent on channel 0');
  assert.ok(toneShare(ch.customer, 1000, 300, 2700) > 0.9, 'the customer on channel 1');

  assert.deepEqual(await next.recorder.recover(), { sealed: 0, failed: 0 }, 'nothing left to recover');
  assert.equal(next.events.events.length, 1, 'sealed once');

  const handle = await next.recorder.start(facts(next), { name: 'twilio', ids: { callSid: 'CA-ok' } });
  assert.ok(handle);
  play(handle, 500);
  await handle.end('completed');
  assert.deepEqual(next.events.events.at(-1), {
    kind: 'sealed',
    callId: handle.callId,
    recordingId: (await next.db.recordings.search({ callId: handle.callId })).items[0]?.id,
    interrupted: false,
  });
});

/** Resolves once `kind` has a queued job whose payload satisfies `match` (enqueues are fire-and-forget). */
async function queuedJob(db: Db, kind: string, match: (payload: unknown) => boolean): Promise<unknown> {
  for (let i = 0; i < 10_000; i++) {
    const job = (await db.jobs.list({ state: 'queued', kind })).find((j) => match(j.payload));
    if (job) return job.payload;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`no ${kind} job queued`);
}

test('a node restarted on a crashed spool queues the analytics job and the recording.sealed webhook (interrupted) for it', async (t) => {
  const tmp = tempDir('ecoute-recover-node-');
  t.after(tmp.remove);
  const { callId, recordingId } = await crashMidCall(tmp.path, 2000);
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: tmp.path, // the layout of the harness: ecoute.sqlite, spool/, blobs/
      roles: ['ingest'], // no `jobs` role: the jobs stay queued for the test to read
      policyFile: EXAMPLE_POLICY,
      'vault.masterKey': Buffer.alloc(32, 7).toString('base64'), // the harness's master key
      'http.host': '127.0.0.1',
      'http.port': 0,
      'sip.host': '127.0.0.1',
      'sip.port': 0,
      'rtp.portMin': 42000 + 2 * Math.floor(Math.random() * 4000),
      'rtp.portMax': 51000,
      'log.level': 'silent',
    },
  });
  const node = await startEcoute(config, { log: silentLogger, print: () => undefined, signals: false });
  t.after(() => node.close());
  assert.equal((await node.db.recordings.get(recordingId))?.state, 'interrupted');

  const db = await openDatabase({ sqliteFile: join(tmp.path, 'ecoute.sqlite') });
  t.after(() => db.close());
  const ofRecording = (p: unknown): boolean => (p as { recordingId?: string }).recordingId === recordingId;
  assert.deepEqual(await queuedJob(db, 'analytics', ofRecording), { recordingId });
  const delivery = await queuedJob(db, 'webhook.deliver', () => true);
  const body = JSON.parse((delivery as { body: string }).body) as { type: string; data: unknown };
  assert.equal(body.type, 'recording.sealed');
  assert.deepEqual(body.data, { recordingId, callId, interrupted: true });
});
