import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachDialect } from './testing.ts';

const PERSONAL = /call|agent|number|customer|caller|phone|user|recording|hash|sip|aor|team|queue/i;

forEachDialect('decision counters and agent caps', (h) => {
  it('R-MIN-4: a decision counter row has no personal data column', async () => {
    const cols =
      h.dialect === 'sqlite'
        ? (
            await sql<{ name: string }>`select name from pragma_table_info('decision_counters')`.execute(
              h.db.kysely,
            )
          ).rows
        : (
            await sql<{ name: string }>`select column_name as name from information_schema.columns
              where table_name = 'decision_counters'`.execute(h.db.kysely)
          ).rows;
    const names = cols.map((c) => c.name).sort();
    assert.deepEqual(names, ['count', 'day', 'outcome', 'policy_id', 'reason', 'rule_id']);
    for (const n of names) assert.doesNotMatch(n, PERSONAL, `column ${n} could hold personal data`);
  });

  it('R-MIN-4: increments are anonymous and add up per policy, day, outcome, reason and rule', async () => {
    const key = {
      policyId: 'p1',
      day: '2026-11-02',
      outcome: 'not_recorded',
      reason: 'not_sampled',
      ruleId: 'R-PUR-4',
    };
    await Promise.all(Array.from({ length: 20 }, () => h.db.counters.increment(key)));
    await h.db.counters.increment({ ...key, reason: 'agent_not_informed', ruleId: 'R-EMP-2' }, 3);
    await h.db.counters.increment({
      policyId: undefined,
      day: '2026-11-02',
      outcome: 'not_recorded',
      reason: 'no_policy',
    });
    const rows = await h.db.counters.list({ fromDay: '2026-11-01', toDay: '2026-11-30' });
    assert.deepEqual(
      rows.map((r) => [r.policyId, r.reason, r.ruleId, r.count]),
      [
        ['', 'no_policy', '', 1],
        ['p1', 'agent_not_informed', 'R-EMP-2', 3],
        ['p1', 'not_sampled', 'R-PUR-4', 20],
      ],
    );
  });

  it('R-PUR-3: reserveSlot never overshoots the per-agent cap under 50 concurrent reservations', async () => {
    // Two handles on the same store: on PostgreSQL two pools, i.e. two "nodes".
    const other = await h.open();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? other : h.db).counters.reserveSlot('quality', 'a-1', '2026-11-02', 7),
      ),
    );
    assert.equal(results.filter(Boolean).length, 7);
    assert.deepEqual(await h.db.counters.slotsUsed('a-1', '2026-11-02'), { quality: 7 });
    assert.equal(await h.db.counters.reserveSlot('quality', 'a-1', '2026-11-03', 7), true, 'a new day');
    assert.equal(await h.db.counters.reserveSlot('quality', 'a-2', '2026-11-02', 7), true, 'another agent');
  });

  it('R-PUR-3: a cap of 0 gives no slot; a released slot can be taken again', async () => {
    assert.equal(await h.db.counters.reserveSlot('q0', 'a-1', '2026-11-02', 0), false);
    assert.equal(await h.db.counters.reserveSlot('q1', 'a-1', '2026-11-02', 1), true);
    assert.equal(await h.db.counters.reserveSlot('q1', 'a-1', '2026-11-02', 1), false);
    await h.db.counters.releaseSlot('q1', 'a-1', '2026-11-02');
    assert.equal(await h.db.counters.reserveSlot('q1', 'a-1', '2026-11-02', 1), true);
  });
});
