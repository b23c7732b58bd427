import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { readChannels, toneShare, levelAt } from '../../test/support/audio.ts';
import { sine, dtmfTone, silence } from '../media/tones.ts';
import { DAY_MS } from '../clock.ts';
import { isEcouteError } from '../errors.ts';
import { CaptureErrors } from './errors.ts';
import { fixedDraw, recorderHarness, type RecorderHarness } from './testing/recorder.harness.ts';
import type { CallFactsInput, CallHandle } from './capture.port.ts';

const dir = tempDir('ecoute-recorder-');
let h: RecorderHarness;
before(async () => (h = await recorderHarness(dir.path)));
after(async () => {
  await h.close();
  dir.remove();
});

const facts = (over: Partial<CallFactsInput> = {}): CallFactsInput => ({
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
  ...over,
});

/** Pushes `ms` of audio in 20 ms frames, agent and customer side by side. */
function play(handle: CallHandle, agent: Int16Array, customer: Int16Array): void {
  for (let i = 0; i < agent.length; i += 160) {
    handle.push(0, agent.subarray(i, i + 160));
    handle.push(1, customer.subarray(i, i + 160));
  }
}

test('a recorded call is sealed with the agent on channel 0 and the customer on channel 1, expiring per R-RET-1', async () => {
  const handle = await h.recorder.start(facts(), { name: 'twilio', ids: { callSid: 'CA1' } });
  assert.ok(handle, 'the call is selected by the draw');
  play(handle, sine(440, 3000), sine(1000, 3000));
  await handle.end('completed');
  const rows = await h.db.recordings.search({ callId: handle.callId });
  const rec = rows.items[0];
  assert.ok(rec);
  assert.equal(rec.state, 'sealed');
  assert.deepEqual(rec.purposes, ['quality']);
  assert.equal(rec.expiresAt, rec.startedAt + 30 * DAY_MS);
  assert.ok(Math.abs((rec.durationMs ?? 0) - 3000) <= 100, `duration ${rec.durationMs}`);
  const ch = await readChannels(h.vault, rec.id);
  assert.ok(Math.abs(ch.seconds - 3) < 0.15, `seconds ${ch.seconds}`);
  assert.ok(toneShare(ch.agent, 440, 500, 2500) > 0.9, 'agent tone on channel 0');
  assert.ok(toneShare(ch.customer, 1000, 500, 2500) > 0.9, 'customer tone on channel 1');
  assert.ok(toneShare(ch.agent, 1000, 500, 2500) < 0.05, 'no crosstalk');
  const call = await h.db.calls.get(handle.callId);
  assert.ok(
    call?.customerNumberEnc && !call.customerNumberEnc.includes('612345678'),
    'number stored encrypted',
  );
  assert.equal(h.numbers.decrypt(call.customerNumberEnc, handle.callId), '+33612345678');
});

test('R-MIN-4: a call that is not drawn leaves only an anonymous counter', async () => {
  const other = await recorderHarness(join(dir.path, 'nodraw'), { rng: fixedDraw(0.9) });
  try {
    const handle = await other.recorder.start(
      facts({ startedAt: other.clock.now(), noticeEndedAt: other.clock.now() }),
      {
        name: 'twilio',
        ids: {},
      },
    );
    assert.equal(handle, undefined);
    assert.equal((await other.db.recordings.search({})).items.length, 0);
    assert.equal((await other.db.calls.byCustomerHash(other.numbers.hash('+33612345678') ?? '')).length, 0);
    const counts = await other.db.counters.list({ fromDay: '2026-11-01', toDay: '2026-11-30' });
    assert.deepEqual(
      counts.map((c) => [c.outcome, c.reason]),
      [['not_recorded', 'not_sampled']],
    );
  } finally {
    await other.close();
  }
});

test('R-CAL-2: the objection key destroys the spool and the data key; nothing is sealed', async () => {
  const handle = await h.recorder.start(facts(), { name: 'twilio', ids: {} });
  assert.ok(handle);
  play(handle, sine(440, 1000), sine(1000, 1000));
  const [recId] = (await h.db.recordings.search({ callId: handle.callId })).items.map((r) => r.id);
  assert.ok(recId);
  handle.dtmf('9');
  await h.events.wait((e) => e.kind === 'destroyed' && e.callId === handle.callId);
  await handle.end('completed');
  const rec = await h.db.recordings.get(recId);
  assert.equal(rec?.state, 'objected');
  assert.equal(await h.db.dataKeys.get(recId), undefined, 'data key destroyed');
  assert.ok(!readdirSync(join(dir.path, 'spool')).some((f) => f.startsWith(recId)), 'spool removed');
  assert.ok(!existsSync(join(dir.path, 'blobs', 'recordings', `${recId}.ecvt`)), 'never sealed');
  assert.equal((await h.db.shredReceipts.forObject(recId))[0]?.rule, 'R-CAL-2');
});

test('R-PCI-1 and R-PCI-2: paused audio and in-band DTMF never reach the recording', async () => {
  const handle = await h.recorder.start(facts(), { name: 'twilio', ids: {} });
  assert.ok(handle);
  play(handle, sine(440, 1000), sine(1000, 1000));
  handle.pause('agent');
  play(handle, sine(440, 1000), sine(1000, 1000));
  handle.resume();
  play(handle, sine(440, 500), dtmfTone('5', 500));
  play(handle, sine(440, 500), silence(500));
  await handle.end('completed');
  const rec = (await h.db.recordings.search({ callId: handle.callId })).items[0];
  assert.ok(rec);
  const ch = await readChannels(h.vault, rec.id);
  assert.ok(levelAt(ch.agent, 1200, 1900) < 50, 'paused span is silent on the agent channel');
  assert.ok(levelAt(ch.customer, 1200, 1900) < 50, 'paused span is silent on the customer channel');
  assert.ok(
    rec.segments.some((s) => s.kind === 'paused'),
    'the pause is on the timeline',
  );
  for (const f of [770, 1336]) assert.ok(toneShare(ch.customer, f, 2000, 2500) < 0.05, `DTMF ${f} Hz masked`);
});

test('R-PUR-3: the per-agent daily cap holds', async () => {
  const other = await recorderHarness(join(dir.path, 'cap'));
  try {
    const outcomes: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const handle = await other.recorder.start(
        facts({ startedAt: other.clock.now(), noticeEndedAt: other.clock.now() }),
        {
          name: 'twilio',
          ids: {},
        },
      );
      outcomes.push(handle !== undefined);
      await handle?.end('completed');
    }
    assert.deepEqual(outcomes, [true, true, true, false, false]);
  } finally {
    await other.close();
  }
});

test('R-CAL-4: a number on the opposition list is never recorded', async () => {
  const hash = h.numbers.hash('06 99 88 77 66');
  assert.ok(hash);
  await h.db.opposition.add(hash, 'test');
  const handle = await h.recorder.start(facts({ customerNumber: '+33699887766' }), {
    name: 'twilio',
    ids: {},
  });
  assert.equal(handle, undefined);
});

/**
 * Opens that fail after the rows were written, on a real condition: every attempt must end as not
 * recorded, with the recording marked failed, its customer data gone and the agent's daily slot given
 * back (R-PUR-3: the example policy caps an agent at 3 a day, so three failed opens followed by three
 * recorded calls prove the slots came back).
 */
async function failedOpens(other: RecorderHarness, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = await other.recorder
      .start(facts({ startedAt: other.clock.now(), noticeEndedAt: other.clock.now() }), {
        name: 'twilio',
        ids: {},
      })
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    assert.ok(isEcouteError(e, CaptureErrors.OPEN_FAILED), `a named error, got ${String(e)}`);
    const recordingId = String(e.context.recordingId);
    const failed = await other.events.wait((x) => x.kind === 'failed' && x.recordingId === recordingId);
    const rec = await other.db.recordings.get(recordingId);
    assert.equal(rec?.state, 'failed', 'not left in `recording`');
    assert.equal(rec.customerHash, undefined);
    assert.equal(rec.expiresAt, rec.startedAt + 30 * DAY_MS, 'R-RET-1: it expires like the policy’s');
    const call = await other.db.calls.get(failed.callId);
    assert.ok(call?.endedAt !== undefined && call.endedAt !== null, 'the call is ended');
    assert.equal(call.customerNumberEnc ?? undefined, undefined, 'no customer number kept');
    assert.equal(await other.db.dataKeys.get(recordingId), undefined, 'no data key left');
    assert.equal(other.recorder.active.size, 0);
    ids.push(String(e.context.cause));
  }
  assert.deepEqual(await other.db.recordings.countByState(), { failed: n });
  assert.deepEqual(await other.db.counters.slotsUsed('a1', '2026-11-02'), { 'qualite-2026-q4': 0 });
  return ids;
}

async function recordedAfterwards(other: RecorderHarness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const handle = await other.recorder.start(
      facts({ startedAt: other.clock.now(), noticeEndedAt: other.clock.now() }),
      { name: 'twilio', ids: {} },
    );
    assert.ok(handle, `call ${i + 1} of ${n} recorded: the failed opens gave their slots back`);
    play(handle, sine(440, 200), sine(1000, 200));
    await handle.end('completed');
  }
}

test('R-PUR-3: a spool directory that cannot be created (a file in its place) leaves the call not recorded, the recording failed and the slot released', async () => {
  const base = join(dir.path, 'nospool');
  const other = await recorderHarness(base);
  try {
    writeFileSync(join(base, 'spool'), 'not a directory'); // the real condition: mkdir fails
    const causes = await failedOpens(other, 3);
    for (const c of causes) assert.match(c, /^(EEXIST|ENOTDIR)$/);
    rmSync(join(base, 'spool'));
    await recordedAfterwards(other, 3);
  } finally {
    await other.close();
  }
});

test('R-PUR-3: a key store that refuses the data key (the database refuses the insert) leaves the call not recorded, the recording failed and the slot released', async () => {
  const base = join(dir.path, 'nokeys');
  const other = await recorderHarness(base);
  const k = other.db.kysely;
  try {
    // A real refusal by the real SQLite key store: a trigger aborts every insert into data_keys.
    await sql`CREATE TRIGGER refuse_keys BEFORE INSERT ON data_keys BEGIN SELECT RAISE(ABORT, 'key store refuses'); END`.execute(
      k,
    );
    await failedOpens(other, 3);
    assert.deepEqual(readdirSync(join(base, 'spool')), [], 'no spool file was created');
    await sql`DROP TRIGGER refuse_keys`.execute(k);
    await recordedAfterwards(other, 3);
  } finally {
    await other.close();
  }
});
