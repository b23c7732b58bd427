import { it } from 'node:test';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { DAY_MS } from '../clock.ts';
import { isEcouteError } from '../errors.ts';
import { forEachDialect } from '../db/testing.ts';
import { silentLogger } from '../log.ts';
import { blobKeyOf } from '../vault/ids.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { JobsErrors } from './errors.ts';
import { HoldsService } from './holds.service.ts';
import { RETENTION_JOB, retentionHandler, type HoldAlert } from './retention.job.ts';
import { Scheduler } from './scheduler.ts';
import { makeWorld, type World } from './testing/world.ts';

forEachDialect('retention', (h) => {
  const tmp = tempDir('ecoute-ret-');
  let w: World;
  const alerts: HoldAlert[] = [];
  let scheduler: Scheduler;
  let holds: HoldsService;
  const t0 = h.clock.now();
  before(() => {
    w = makeWorld(h.db, h.clock, tmp.path);
    holds = new HoldsService({ db: h.db, clock: h.clock });
    scheduler = new Scheduler({ jobs: h.db.jobs, clock: h.clock, log: silentLogger, owner: 'node-a' });
    scheduler.register(
      RETENTION_JOB,
      retentionHandler({
        db: h.db,
        deletion: w.deletion,
        clock: h.clock,
        log: silentLogger,
        batchSize: 2,
        onAlert: (a) => alerts.push(a),
      }),
      { everyMs: DAY_MS },
    );
  });
  after(tmp.remove);

  const present = async (id: string) => ({
    key: (await h.db.dataKeys.get(id)) !== undefined,
    blob: (await w.blobs.head(blobKeyOf(id))) !== undefined,
  });

  it('R-RET-1 R-RET-2 R-RET-3 R-RET-4 R-RET-5 R-RET-6: months of a moving clock, nothing survives its date, nothing goes early', async () => {
    await w.record({ id: 'r30', number: '06 12 34 56 78', days: 30 });
    await w.record({ id: 'r183', days: 183 });
    await w.record({ id: 'review', days: 183, reviewDays: 7 });
    await w.record({ id: 'sector', days: 730, writeOnce: true, purposes: ['legal_obligation'] });
    await w.record({ id: 'held', days: 30 });
    for (let i = 0; i < 5; i++) await w.record({ id: `bulk${i}`, days: 45 });
    const doc = await h.db.analysis.insert({
      recordingId: 'review',
      kind: 'evaluation',
      agentId: 'agent-1',
      evaluatorId: 'eval-1',
      content: { score: 4 },
      expiresAt: t0 + 365 * DAY_MS,
    });
    const hold = await holds.create(
      {
        reason: 'Contentieux prud’homal n°24/118',
        owner: 'dpo@example',
        reviewAt: t0 + 60 * DAY_MS,
        createdBy: 'dpo',
      },
      ['held'],
    );

    // R-RET-3: even an admin cannot delete a write-once recording before expiry.
    await assert.rejects(
      w.deletion.shredRecording('sector', { rule: 'R-DSR-4' }),
      (e) => isEcouteError(e, JobsErrors.WRITE_ONCE) && e.rule === 'R-RET-3',
    );
    assert.equal((await present('sector')).key, true);

    const expires = new Map(
      (
        await Promise.all(
          ['r30', 'r183', 'review', 'sector', 'held', ...[0, 1, 2, 3, 4].map((i) => `bulk${i}`)].map((id) =>
            h.db.recordings.mustGet(id),
          ),
        )
      ).map((r) => [r.id, r]),
    );
    let released = false;
    for (let day = 0; day <= 760; day += 5) {
      h.clock.set(t0 + day * DAY_MS + 3_600_000);
      if (day === 100) {
        await holds.release(hold.id, 'dpo');
        released = true;
      }
      await scheduler.tick();
      const now = h.clock.now();
      for (const [id, r] of expires) {
        const due = now >= (r.expiresAt ?? Infinity) && (id !== 'held' || released);
        const p = await present(id);
        const row = await h.db.recordings.mustGet(id);
        if (due) {
          assert.deepEqual(p, { key: false, blob: false }, `${id} must be gone on day ${day}`);
          assert.equal(row.state, 'shredded');
          assert.equal(row.customerHash, undefined);
        } else {
          assert.equal(row.state === 'shredded', false, `${id} deleted early on day ${day}`);
          // R-RET-5: the review window's audio goes by destroying its key; the row stays.
          const audioDue = id === 'review' && day >= 7;
          assert.deepEqual(p, { key: !audioDue, blob: !audioDue }, `${id} audio on day ${day}`);
        }
      }
      // R-RET-5: the review window's analysis document outlives the audio; R-RET-2: gone after a year.
      assert.equal((await h.db.analysis.get(doc.id)) !== undefined, day < 365, `document on day ${day}`);
      if (day === 65)
        assert.ok(
          alerts.some((a) => a.holdId === hold.id && a.rule === 'R-RET-6'),
          'overdue hold alert',
        );
    }
    const receipts = await h.db.shredReceipts.list({}, 100);
    for (const id of expires.keys()) {
      const mine = receipts.filter((r) => r.objectId === id && r.kind === 'recording');
      assert.equal(mine.length, 1, `one receipt for ${id}`);
      assert.deepEqual(Object.keys(mine[0]?.scope ?? {}).sort(), ['analytics', 'blob', 'key', 'transcripts']);
    }
    assert.equal(receipts.find((r) => r.objectId === 'sector')?.rule, 'R-RET-3');
    assert.equal(receipts.find((r) => r.objectId === 'review' && r.kind === 'audio')?.rule, 'R-RET-5');
    assert.equal(receipts.find((r) => r.objectId === doc.id)?.rule, 'R-RET-2');
    assert.equal(JSON.stringify(receipts).includes('06 12'), false, 'receipts hold no content');
    // Each deletion is announced once (the `recording.deleted` webhook), with its rule.
    for (const id of expires.keys())
      assert.equal(
        w.deleted.filter((d) => d.recordingId === id && d.what === 'recording').length,
        1,
        `announced ${id}`,
      );
    assert.ok(
      w.deleted.some((d) => d.recordingId === 'review' && d.what === 'audio' && d.rule === 'R-RET-5'),
    );
  });

  it('R-RET-4: catches up after downtime, in batches, and a period is enqueued once across nodes', async () => {
    const start = h.clock.now();
    for (let i = 0; i < 7; i++) await w.record({ id: `late${i}`, days: 10 });
    h.clock.set(start + 400 * DAY_MS);
    const other = await h.open();
    const nodeB = new Scheduler({ jobs: other.jobs, clock: h.clock, log: silentLogger, owner: 'node-b' });
    nodeB.register(
      RETENTION_JOB,
      retentionHandler({ db: other, deletion: w.deletion, clock: h.clock, log: silentLogger }),
      { everyMs: DAY_MS },
    );
    const [a, b] = await Promise.all([scheduler.tick(), nodeB.tick()]);
    assert.equal(a.ran + b.ran, 1, 'one retention run for the period');
    for (let i = 0; i < 7; i++) assert.equal((await h.db.recordings.mustGet(`late${i}`)).state, 'shredded');
    const jobs = await h.db.jobs.list({ kind: RETENTION_JOB }, 1000);
    const period = Math.floor(h.clock.now() / DAY_MS) * DAY_MS;
    assert.equal(jobs.filter((j) => j.id === `${RETENTION_JOB}@${period}`).length, 1);
  });

  it('R-RET-6: a hold needs a reason, an owner and a future review date; the DPO lists every hold', async () => {
    const now = h.clock.now();
    await assert.rejects(
      holds.create({ reason: ' ', owner: 'dpo', reviewAt: now + DAY_MS, createdBy: 'dpo' }),
      (e) => isEcouteError(e, JobsErrors.HOLD_INCOMPLETE),
    );
    await assert.rejects(
      holds.create({ reason: 'Litige', owner: 'dpo', reviewAt: now - 1, createdBy: 'dpo' }),
      (e) => isEcouteError(e, JobsErrors.HOLD_INCOMPLETE),
    );
    await w.record({ id: 'kept', days: 1 });
    const hold = await holds.create({
      reason: 'Litige client',
      owner: 'legal',
      reviewAt: now + 5 * DAY_MS,
      createdBy: 'dpo',
    });
    await holds.attach(hold.id, ['kept']);
    await assert.rejects(w.deletion.shredRecording('kept', { rule: 'R-DSR-4' }), (e) =>
      isEcouteError(e, JobsErrors.HELD),
    );
    h.clock.advanceDays(6);
    const all = await holds.list();
    const view = all.find((x) => x.id === hold.id);
    assert.deepEqual(view?.recordingIds, ['kept']);
    assert.equal(view?.reviewOverdue, true);
    assert.ok(all.length >= 2, 'released holds are listed too');
  });
});
