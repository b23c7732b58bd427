import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../errors.ts';
import { AgentsErrors } from './errors.ts';
import { forEachDialect } from './testing.ts';

forEachDialect('agent directory', (h) => {
  it('upsert creates the team, resolves the line by SIP AOR or extension, and updates in place', async () => {
    await h.db.agents.upsert({
      id: 'a-1',
      displayName: 'Alice',
      teamId: 'north',
      sipAor: 'sip:1001@pbx',
      extension: '1001',
    });
    assert.equal((await h.db.agents.byAor('sip:1001@pbx'))?.id, 'a-1');
    assert.equal((await h.db.agents.byAor('1001'))?.id, 'a-1');
    assert.equal(await h.db.agents.byAor('9999'), undefined);
    await h.db.agents.upsert({ id: 'a-1', displayName: 'Alice D.', teamId: 'west', neverRecord: true });
    const a = await h.db.agents.get('a-1');
    assert.equal(a?.displayName, 'Alice D.');
    assert.equal(a?.teamId, 'west');
    assert.equal(a?.neverRecord, true, 'R-EMP-4 flag');
    assert.equal(a?.sipAor, undefined);
    assert.deepEqual(
      (await h.db.agents.teams()).map((t) => t.id),
      ['north', 'west'],
    );
    assert.deepEqual(
      (await h.db.agents.list({ teamId: 'west' })).map((x) => x.id),
      ['a-1'],
    );
  });

  it('R-EMP-2: each acknowledgement is kept in the history; the latest is the current one', async () => {
    const t0 = h.clock.now();
    await h.db.agents.ack('a-1', 1);
    h.clock.advance(60_000);
    const a = await h.db.agents.ack('a-1', 2, 'console');
    assert.equal(a.noticeVersion, 2);
    assert.equal(a.noticeAckedAt, t0 + 60_000);
    assert.deepEqual(
      (await h.db.agents.ackHistory('a-1')).map((x) => [x.noticeVersion, x.ackedAt, x.source]),
      [
        [1, t0, 'cli'],
        [2, t0 + 60_000, 'console'],
      ],
    );
    // A directory re-import does not erase what the agent acknowledged.
    await h.db.agents.upsert({ id: 'a-1', displayName: 'Alice D.', teamId: 'west' });
    assert.equal((await h.db.agents.get('a-1'))?.noticeVersion, 2);
  });

  it('R-EMP-2: acknowledging for an unknown agent fails with its code', async () => {
    const e = await h.db.agents.ack('ghost', 1).catch((err: unknown) => err);
    assert.ok(isEcouteError(e, AgentsErrors.UNKNOWN_AGENT));
  });
});
