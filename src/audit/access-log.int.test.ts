import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { forEachDialect } from '../db/testing.ts';
import { AccessLog } from './access-log.ts';

const key = randomBytes(32);

forEachDialect('access log', (h) => {
  const make = () =>
    new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: key,
      checkpointEvery: 5,
      retentionDays: 365,
    });
  const event = (i: number) => ({
    actor: `u${i % 3}`,
    role: 'supervisor',
    action: 'play',
    objectType: 'recording',
    objectId: `r${i}`,
    purpose: 'quality',
    result: 'allowed' as const,
    sourceAddress: '127.0.0.1',
  });

  it('R-SEC-2: concurrent appends keep one verifiable chain with signed checkpoints', async () => {
    const a = make();
    const b = make(); // a second writer, as another node would be
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).append(event(i))));
    const r = await a.verify();
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.ok && r.count, 14, '12 entries and 2 checkpoints');
  });

  it('R-SEC-2: editing a row in the database makes verify report that seq', async () => {
    const log = make();
    await sql`update access_log set purpose = 'training' where seq = 7`.execute(h.db.kysely);
    const r = await log.verify();
    assert.deepEqual(r, { ok: false, seq: 7, reason: 'hash does not match the entry contents' });
    await sql`update access_log set purpose = 'quality' where seq = 7`.execute(h.db.kysely);
    assert.equal((await log.verify()).ok, true);
  });

  it('R-SEC-2: retention purge keeps the chain verifiable from a signed checkpoint', async () => {
    const log = make();
    h.clock.advanceDays(400);
    await log.append(event(100));
    const removed = await log.purgeExpired();
    assert.ok(removed >= 9, `removed ${removed}`);
    const r = await log.verify();
    assert.equal(r.ok, true, JSON.stringify(r));
    const first = (await log.list({ limit: 1 }))[0];
    assert.equal(first?.action, 'audit_checkpoint');
  });
});
