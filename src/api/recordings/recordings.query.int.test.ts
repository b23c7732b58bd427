/**
 * The scoped search (R-MIN-3) on both stores against a reference written plainly in JS: every recording,
 * filtered by the principal's scope and the query, newest first (ties by id), then the page. The store
 * answers with one branch per team merged (recordings.query.ts); this proves the merge is exactly the
 * plain definition, for overlapping agent and team scopes, teams without recordings, equal start times,
 * pages past the end, and scopes wide enough to take the other form.
 */
import { before, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../../db/testing.ts';
import type { Principal } from '../access/decide.ts';
import { TEAM_SCOPED, type Role } from '../access/roles.ts';
import { searchRecordings, type SearchQuery } from './recordings.query.ts';

const N = 300;
const T0 = Date.UTC(2026, 10, 1);
const TEAMS = ['ta', 'tb', 'tc', null] as const;
const QUEUES = ['sales', 'support', null] as const;

interface Row {
  readonly id: string;
  readonly startedAt: number;
  readonly team: string | null;
  readonly agentId: string | null;
  readonly queue: string | null;
  readonly direction: string;
  readonly durationMs: number;
}

/** Deterministic spread: agents move between teams, a tenth have no agent, start times collide. */
const rows: Row[] = Array.from({ length: N }, (_, i) => ({
  id: `r${String((i * 7919) % 10007).padStart(5, '0')}`,
  startedAt: T0 + Math.floor(i / 3) * 60_000, // three recordings per start time: ties broken by id
  team: TEAMS[(i * 5) % TEAMS.length] ?? null,
  agentId: i % 10 === 9 ? null : `a${i % 7}`,
  queue: QUEUES[i % QUEUES.length] ?? null,
  direction: i % 4 ? 'inbound' : 'outbound',
  durationMs: (i % 13) * 10_000,
}));

const user = (roles: Role[], teams: string[], agentId?: string): Principal => ({
  kind: 'user',
  id: 'u',
  login: 'u',
  roles,
  teams,
  agentId,
  secondFactor: true,
});

/** The definition, with nothing clever in it. */
function expected(p: Principal, q: SearchQuery): string[] {
  const inScope = (r: Row): boolean => {
    if (p.kind !== 'user' || p.roles.includes('dpo')) return true;
    const teams = p.roles.some((x) => TEAM_SCOPED.has(x)) ? p.teams : [];
    const agent = p.roles.includes('agent') ? p.agentId : undefined;
    return (r.team !== null && teams.includes(r.team)) || (agent !== undefined && r.agentId === agent);
  };
  return rows
    .filter(inScope)
    .filter((r) => q.from === undefined || r.startedAt >= q.from)
    .filter((r) => q.to === undefined || r.startedAt < q.to)
    .filter((r) => !q.agentId || r.agentId === q.agentId)
    .filter((r) => !q.team || r.team === q.team)
    .filter((r) => !q.queue || r.queue === q.queue)
    .filter((r) => !q.direction || r.direction === q.direction)
    .filter((r) => q.minDurationMs === undefined || r.durationMs >= q.minDurationMs)
    .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 50))
    .map((r) => r.id);
}

const manyTeams = Array.from({ length: 40 }, (_, i) => `t${i}`);
const principals: [string, Principal][] = [
  ['dpo', user(['dpo'], [])],
  ['supervisor of ta', user(['supervisor'], ['ta'])],
  ['supervisor of ta and tb', user(['supervisor'], ['ta', 'tb'])],
  ['supervisor of ta twice', user(['supervisor'], ['ta', 'ta'])],
  ['supervisor of a team without recordings', user(['supervisor'], ['t-new'])],
  ['evaluator of tc and a team without recordings', user(['evaluator'], ['tc', 't-new'])],
  ['agent a3', user(['agent'], [], 'a3')],
  ['agent a3 who also supervises ta', user(['agent', 'supervisor'], ['ta'], 'a3')],
  ['agent without an agent record', user(['agent'], [])],
  ['supervisor without teams', user(['supervisor'], [])],
  ['admin (no search scope)', user(['admin'], ['ta'], 'a3')],
  ['trainer of 41 teams (the wide form)', user(['trainer'], [...manyTeams, 'tb'])],
  ['agent a1 who trains 41 teams', user(['agent', 'trainer'], [...manyTeams, 'ta'], 'a1')],
  ['integration token', { kind: 'token', id: 't', name: 'pbx', scopes: [] }],
];
const queries: SearchQuery[] = [
  {},
  { limit: 7 },
  { limit: 7, offset: 7 },
  { limit: 20, offset: 95 },
  { offset: 1000 },
  { from: T0 + 30 * 60_000, to: T0 + 70 * 60_000 },
  { team: 'tb' },
  { agentId: 'a3', queue: 'sales' },
  { direction: 'outbound', minDurationMs: 50_000, limit: 10 },
];

forEachDialect('recording search', (h) => {
  before(async () => {
    await h.db.kysely
      .insertInto('recordings')
      .values(
        rows.map((r) => ({
          ...r,
          callId: `c-${r.id}`,
          state: 'sealed',
          policyId: 'p',
          policyVersion: 1,
          purposes: '["quality"]',
          endedAt: r.startedAt + r.durationMs,
          segments: '[]',
          channels: '[]',
          codec: 'opus',
          sizeBytes: 1,
          sha256: 'x',
          blobKey: `k-${r.id}`,
          expiresAt: null,
          audioExpiresAt: null,
          writeOnce: 0,
          legalHoldId: null,
          customerHash: null,
          createdAt: r.startedAt,
          updatedAt: r.startedAt,
        })),
      )
      .execute();
  });

  it('R-MIN-3: each principal finds exactly its scope, newest first, page by page, with every filter', async () => {
    let compared = 0;
    for (const [who, p] of principals)
      for (const q of queries) {
        const got = (await searchRecordings(h.db.kysely, p, q)).map((r) => r.id);
        assert.deepEqual(got, expected(p, q), `${who}, ${JSON.stringify(q)}`);
        compared += got.length;
      }
    assert.ok(compared > 1000, `the cases return recordings to compare (${compared})`);
  });

  it('R-MIN-3: a scope without teams or agent finds nothing, a mixed scope finds calls of both kinds', async () => {
    assert.deepEqual(await searchRecordings(h.db.kysely, user(['supervisor'], []), {}), []);
    const mixed = await searchRecordings(h.db.kysely, user(['agent', 'supervisor'], ['ta'], 'a3'), {
      limit: 500,
    });
    assert.ok(
      mixed.some((r) => r.team === 'ta' && r.agentId !== 'a3'),
      'team calls of other agents',
    );
    assert.ok(
      mixed.some((r) => r.agentId === 'a3' && r.team !== 'ta'),
      'own calls outside the team',
    );
    assert.ok(
      mixed.some((r) => r.agentId === 'a3' && r.team === null),
      'own calls without a team',
    );
    assert.equal(new Set(mixed.map((r) => r.id)).size, mixed.length, 'no recording twice');
  });
});
