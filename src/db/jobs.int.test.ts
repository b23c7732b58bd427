import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from './testing.ts';

forEachDialect('jobs', (h) => {
  it('claimNext gives a job to exactly one of several concurrent claimers', async () => {
    const other = await h.open();
    const job = await h.db.jobs.enqueue('finalise', { recordingId: 'r-1' });
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? other : h.db).jobs.claimNext(['finalise'], `w${i}`, 30_000),
      ),
    );
    const won = claims.filter((c) => c !== undefined);
    assert.equal(won.length, 1);
    assert.equal(won[0]?.id, job.id);
    assert.deepEqual(won[0]?.payload, { recordingId: 'r-1' });
    assert.equal(won[0]?.attempts, 1);
    assert.ok(await h.db.jobs.complete(job.id, won[0].leaseOwner!));
  });

  it('many jobs, many claimers: every job is claimed exactly once', async () => {
    const other = await h.open();
    const ids = new Set<string>();
    for (let i = 0; i < 12; i++) ids.add((await h.db.jobs.enqueue('purge', { i })).id);
    const claimed: string[] = [];
    const worker = async (name: string, i: number) => {
      for (;;) {
        const j = await (i % 2 ? other : h.db).jobs.claimNext(['purge'], name, 30_000);
        if (!j) return;
        claimed.push(j.id);
        await h.db.jobs.complete(j.id, name);
      }
    };
    await Promise.all(Array.from({ length: 4 }, (_, i) => worker(`w${i}`, i)));
    assert.equal(claimed.length, 12);
    assert.deepEqual(new Set(claimed), ids);
  });

  it('an expired lease hands the job to another claimer; the first owner can no longer complete it', async () => {
    const job = await h.db.jobs.enqueue('export', {});
    const first = await h.db.jobs.claimNext(['export'], 'dead-worker', 10_000);
    assert.equal(first?.id, job.id);
    assert.equal(await h.db.jobs.claimNext(['export'], 'w2', 10_000), undefined, 'leased');
    h.clock.advance(10_001);
    const second = await h.db.jobs.claimNext(['export'], 'w2', 10_000);
    assert.equal(second?.id, job.id);
    assert.equal(second?.attempts, 2);
    assert.equal(await h.db.jobs.complete(job.id, 'dead-worker'), false);
    assert.equal(await h.db.jobs.complete(job.id, 'w2'), true);
    assert.equal((await h.db.jobs.get(job.id))?.state, 'done');
  });

  it('a job scheduled later is not claimed early; a failure with retry runs again at retryAt', async () => {
    const job = await h.db.jobs.enqueue('analytics', {}, { runAt: h.clock.now() + 60_000 });
    assert.equal(await h.db.jobs.claimNext(['analytics'], 'w', 1000), undefined);
    h.clock.advance(60_000);
    const c = await h.db.jobs.claimNext(['analytics'], 'w', 1000);
    assert.equal(c?.id, job.id);
    assert.ok(await h.db.jobs.fail(job.id, 'w', 'disk full', h.clock.now() + 5000));
    assert.equal(await h.db.jobs.claimNext(['analytics'], 'w', 1000), undefined);
    h.clock.advance(5000);
    const again = await h.db.jobs.claimNext(['analytics'], 'w', 1000);
    assert.equal(again?.lastError, 'disk full');
    assert.ok(await h.db.jobs.fail(job.id, 'w', 'still full'));
    assert.equal((await h.db.jobs.get(job.id))?.state, 'failed');
    assert.equal(await h.db.jobs.claimNext(['analytics', 'other'], 'w', 1000), undefined);
  });
});
