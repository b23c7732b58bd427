import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DAY_MS } from '../clock.ts';
import { forEachDialect } from '../db/testing.ts';
import { isEcouteError } from '../errors.ts';
import { teamAggregates } from './aggregates.ts';
import { AnalyticsErrors } from './errors.ts';
import { analyseTalk } from './talk.analytics.ts';
import { syntheticCall } from './testing.ts';

it('R-SEC-3: the aggregate module neither imports nor queries the access log', () => {
  const src = readFileSync(new URL('./aggregates.ts', import.meta.url), 'utf8');
  const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1] ?? '');
  assert.ok(imports.length > 0);
  for (const i of imports) assert.ok(!/audit|access-log|access\/|api\//.test(i), `imports ${i}`);
  assert.doesNotMatch(src, /accessLog|access_log|selectFrom\('(?!analysisDocuments|recordings)/);
});

forEachDialect('team aggregates', (h) => {
  it('R-SEC-3: figures per team, period and agent come from evaluations and talk analytics only', async () => {
    const nov = Date.UTC(2026, 10, 5);
    const figures = analyseTalk(
      syntheticCall(10_000, [
        { channel: 0, startMs: 0, endMs: 6000 },
        { channel: 1, startMs: 6500, endMs: 8500 },
      ]),
      [],
    );
    const rows: [string, string, string, number][] = [
      ['g-1', 'north', 'a-1', nov],
      ['g-2', 'north', 'a-2', nov + DAY_MS],
      ['g-3', 'south', 'a-3', nov],
      ['g-4', 'north', 'a-1', Date.UTC(2026, 11, 5)], // outside the period
    ];
    for (const [id, team, agentId, startedAt] of rows) {
      await h.db.recordings.insert({
        id,
        callId: id,
        policyId: 'p',
        policyVersion: 1,
        purposes: ['quality'],
        startedAt,
        agentId,
        team,
        direction: 'inbound',
      });
      const base = { recordingId: id, agentId, expiresAt: startedAt + 365 * DAY_MS };
      await h.db.analysis.insert({
        ...base,
        kind: 'talk_analytics',
        evaluatorId: 'system:analytics',
        content: { call: {}, team, figures },
      });
      await h.db.analysis.insert({
        ...base,
        kind: 'evaluation',
        evaluatorId: 'u-e',
        content: { score: { total: id === 'g-2' ? 50 : 90, flagged: id === 'g-2' } },
      });
    }
    // Access-log entries about these agents exist, and must not change anything.
    for (let seq = 1; seq <= 3; seq++)
      await h.db.accessLog.insert({
        seq,
        prevHash: 'p',
        hash: `h${seq}`,
        at: nov,
        actor: 'u-sup',
        role: 'supervisor',
        action: 'play',
        objectType: 'recording',
        objectId: 'g-1',
        purpose: 'quality',
        result: 'allowed',
        sourceAddress: null,
        detail: JSON.stringify({ agentId: 'a-1' }),
      });
    const [north] = await teamAggregates(h.db.kysely, {
      teams: ['north'],
      from: Date.UTC(2026, 10, 1),
      to: Date.UTC(2026, 11, 1),
    });
    assert.ok(north);
    assert.deepEqual(north.evaluations, { count: 2, meanScore: 70, flagged: 1 });
    assert.equal(north.talk.calls, 2);
    assert.equal(north.talk.meanTalkRatio, figures.talkRatio);
    assert.deepEqual(
      north.agents.map((a) => [a.agentId, a.evaluations.count]),
      [
        ['a-1', 1],
        ['a-2', 1],
      ],
    );
    assert.deepEqual(await teamAggregates(h.db.kysely, { teams: [], from: 0, to: 1 }), []);
    await assert.rejects(teamAggregates(h.db.kysely, { teams: ['north'], from: 0, to: 400 * DAY_MS }), (e) =>
      isEcouteError(e, AnalyticsErrors.BAD_PERIOD),
    );
  });
});
