import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../db/testing.ts';
import { isEcouteError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { JobsErrors } from './errors.ts';
import { Scheduler } from './scheduler.ts';

forEachDialect('scheduler', (h) => {
  it('R-RET-4: a failing job is retried with back-off, then fails for good; a dead node’s job is retaken after its lease', async () => {
    const s = new Scheduler({
      jobs: h.db.jobs,
      clock: h.clock,
      log: silentLogger,
      owner: 'a',
      maxAttempts: 2,
      retryMs: 1000,
      leaseMs: 5000,
    });
    let calls = 0;
    s.register('flaky', () => {
      calls++;
      return Promise.reject(new Error('boom'));
    });
    const job = await s.enqueue('flaky', {});
    assert.deepEqual(await s.tick(), { enqueued: 0, ran: 0, failed: 1 });
    assert.equal((await h.db.jobs.get(job.id))?.state, 'queued');
    assert.equal((await s.tick()).failed, 0, 'not before the back-off');
    h.clock.advance(1000);
    await s.tick();
    assert.equal(calls, 2);
    assert.equal((await h.db.jobs.get(job.id))?.state, 'failed');
    await assert.rejects(s.enqueue('nope', {}), (e) => isEcouteError(e, JobsErrors.UNKNOWN_KIND));

    // Node "dead" claims a job and never finishes; node "b" takes it after the lease.
    const done: string[] = [];
    const b = new Scheduler({
      jobs: h.db.jobs,
      clock: h.clock,
      log: silentLogger,
      owner: 'b',
      leaseMs: 5000,
    });
    b.register('export', (p) => {
      done.push(String((p as { n: number }).n));
      return Promise.resolve();
    });
    const exp = await b.enqueue('export', { n: 1 });
    assert.ok(await h.db.jobs.claimNext(['export'], 'dead', 5000));
    assert.equal((await b.tick()).ran, 0, 'leased to the dead node');
    h.clock.advance(5001);
    assert.equal((await b.tick()).ran, 1);
    assert.deepEqual(done, ['1']);
    assert.equal((await h.db.jobs.get(exp.id))?.state, 'done');
  });
});
