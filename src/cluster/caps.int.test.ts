/**
 * R-PUR-3 across nodes: two recorders (two "nodes": their own spool, vault and connection pool) on the same
 * PostgreSQL database admit concurrent calls for the same agent; the daily cap is never overshot, because
 * the slot is taken atomically in the database (counters.reserveSlot), not counted in memory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { FakeClock } from '../clock.ts';
import { openDatabase } from '../db/index.ts';
import { freshPgDatabase, pgAvailable } from '../../test/support/pg.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { recorderHarness, type RecorderHarness } from '../capture/testing/recorder.harness.ts';
import type { CallFactsInput, CallHandle } from '../capture/capture.port.ts';

describe('per-agent caps across nodes on PostgreSQL', async () => {
  if (!(await pgAvailable())) {
    it('PostgreSQL unreachable: suite SKIPPED', { skip: 'PostgreSQL unreachable' }, () => undefined);
    return;
  }
  const dir = tempDir('ecoute-caps-');
  const clock = new FakeClock('2026-11-02T09:00:00Z');
  let pg: { url: string; drop: () => Promise<void> };
  let nodes: RecorderHarness[] = [];
  before(async () => {
    pg = await freshPgDatabase();
    for (const name of ['n1', 'n2']) {
      const d = join(dir.path, name);
      mkdirSync(d, { recursive: true });
      const db = await openDatabase({ url: pg.url, clock });
      nodes.push(await recorderHarness(d, { clock, db }));
    }
  });
  after(async () => {
    for (const n of nodes) await n.close();
    nodes = [];
    await pg.drop();
    dir.remove();
  });

  const facts = (): CallFactsInput => ({
    startedAt: clock.now(),
    direction: 'inbound',
    agentExtension: '1001',
    noticePlayed: true,
    noticeVersion: 2,
    noticeEndedAt: clock.now(),
    objectionSignalled: false,
    personalCall: false,
    protectedLine: false,
  });

  it('R-PUR-3: 24 concurrent calls for one agent on two nodes record exactly maxPerAgentPerDay, no overshoot', async () => {
    const [n1, n2] = nodes;
    assert.ok(n1 && n2);
    const policy = n1.policies
      .current()
      ?.context.policies.find((p) => p.sampling?.maxPerAgentPerDay !== undefined);
    const max = policy?.sampling?.maxPerAgentPerDay;
    assert.ok(policy && max !== undefined && max > 0, 'the example policy has a per-agent cap');
    const starts = Array.from({ length: 24 }, (_, i) =>
      (i % 2 ? n2 : n1).recorder.start(facts(), { name: 'twilio', ids: { callSid: `CA${i}` } }),
    );
    const handles = (await Promise.all(starts)).filter((h): h is CallHandle => h !== undefined);
    assert.equal(handles.length, max, `exactly ${max} calls recorded across both nodes`);
    const used = await n1.db.counters.slotsUsed('a1', '2026-11-02');
    assert.equal(used[policy.id], max, 'the shared slot counter equals the cap');
    const refused = await n2.db.kysely
      .selectFrom('decisionCounters')
      .select(['count'])
      .where('reason', '=', 'R-PUR-3')
      .execute();
    assert.equal(
      refused.reduce((s, r) => s + Number(r.count), 0),
      24 - max,
      'the others are counted as refused by R-PUR-3',
    );
    await Promise.all(handles.map((h) => h.end('completed')));
  });
});
