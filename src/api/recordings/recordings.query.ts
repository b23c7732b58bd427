import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Principal } from '../access/decide.ts';
import { TEAM_SCOPED, type Purpose, type Role } from '../access/roles.ts';

/** A recording as the API shows it: metadata only, never the customer's number (R-MIN-1). */
export interface RecordingView {
  readonly id: string;
  readonly callId: string;
  readonly state: string;
  readonly policyId: string;
  readonly purposes: readonly Purpose[];
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly agentId: string | null;
  readonly team: string | null;
  readonly queue: string | null;
  readonly direction: string;
  readonly expiresAt: number | null;
  /** The timeline: recorded, paused (R-PCI-1), masked DTMF (R-PCI-2) and lost spans, ms from the start. */
  readonly segments: readonly {
    readonly kind: string;
    readonly startMs: number;
    readonly endMs: number;
    readonly channel?: number;
  }[];
}

export interface SearchQuery {
  from?: number;
  to?: number;
  agentId?: string;
  team?: string;
  queue?: string;
  direction?: string;
  policyId?: string;
  purpose?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  state?: string;
  /** Exact customer number (query string only): turned into `customerHash` at once, never stored or logged. */
  customerNumber?: string;
  /** Keyed hash of the customer number (R-DSR-1, R-CAL-4): the only form the search uses. */
  customerHash?: string;
  /** Offset of the page (pages of `limit`, newest first). */
  offset?: number;
  limit?: number;
}

const view = (r: Database['recordings']): RecordingView => ({
  id: r.id,
  callId: r.callId,
  state: r.state,
  policyId: r.policyId,
  purposes: JSON.parse(r.purposes) as Purpose[],
  startedAt: Number(r.startedAt),
  endedAt: r.endedAt === null ? null : Number(r.endedAt),
  durationMs: r.durationMs === null ? null : Number(r.durationMs),
  agentId: r.agentId,
  team: r.team,
  queue: r.queue,
  direction: r.direction,
  expiresAt: r.expiresAt === null ? null : Number(r.expiresAt),
  segments: JSON.parse(r.segments) as RecordingView['segments'],
});

export async function recordingById(db: Kysely<Database>, id: string): Promise<RecordingView | undefined> {
  const r = await db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? view(r) : undefined;
}

/** The recording's policy download roles (R-SEC-5), from the policy version it was recorded under. */
export async function downloadRolesOf(
  db: Kysely<Database>,
  policyId: string,
  version: number,
): Promise<Role[]> {
  const p = await db
    .selectFrom('policies')
    .select('content')
    .where('id', '=', policyId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!p) return [];
  const content = JSON.parse(p.content) as { downloadRoles?: Role[] };
  return content.downloadRoles ?? [];
}

/**
 * Search scoped by role (R-MIN-3): team-scoped roles see their teams, an agent their own calls, the DPO
 * everything. A principal with no scope sees nothing.
 */
export async function searchRecordings(
  db: Kysely<Database>,
  p: Principal,
  q: SearchQuery,
): Promise<RecordingView[]> {
  const rows = await searchQuery(db, p, q).execute();
  return rows.map(view);
}

/** At most this many teams get one branch each; a wider scope walks the newest recordings and filters. */
const MAX_TEAM_BRANCHES = 32;

type Recordings = SelectQueryBuilder<Database, 'recordings', Database['recordings']>;
/** What `searchQuery` returns: the scoped search, to run or to compile (its plan, bench/search.bench.ts). */
export type SearchStatement = Pick<Recordings, 'compile' | 'execute'>;

const newestFirst = (s: Recordings): Recordings => s.orderBy('startedAt', 'desc').orderBy('id');

/** The search as a query, unexecuted: `searchRecordings` runs it; the search benchmark explains its plans. */
export function searchQuery(db: Kysely<Database>, p: Principal, q: SearchQuery): SearchStatement {
  const base = filtered(db.selectFrom('recordings').selectAll(), q);
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  if (p.kind !== 'user' || p.roles.includes('dpo')) return newestFirst(base).limit(limit).offset(offset);
  // R-MIN-3: the teams in scope and/or the agent's own calls; nothing at all without a scope.
  const teams = [...new Set(p.roles.some((r) => TEAM_SCOPED.has(r)) ? p.teams : [])];
  const agent = p.roles.includes('agent') ? p.agentId : undefined;
  if (!teams.length)
    return newestFirst(base.where((eb) => (agent ? eb('agentId', '=', agent) : eb(eb.val(1), '=', 0))))
      .limit(limit)
      .offset(offset);
  if (teams.length > MAX_TEAM_BRANCHES) {
    // Walk the started-at index newest first and filter: the constant-false term keeps SQLite from
    // choosing the team index and sorting every recording of the teams (more than 32 teams: most calls).
    const scoped = base.where((eb) =>
      eb.or([eb('team', 'in', teams), ...(agent ? [eb('agentId', '=', agent)] : []), eb(eb.val(1), '=', 0)]),
    );
    return newestFirst(scoped).limit(limit).offset(offset);
  }
  // One branch per team, newest first through the (team, started_at) index, plus the agent's own calls
  // outside those teams: the branches are disjoint, so the newest `offset + limit` of each, merged,
  // ordered and cut, are exactly the page, and each branch reads at most that many rows whatever the
  // team's size. Measured at 1M recordings (bench/search.bench.ts): walking the newest recordings and
  // filtering read the whole store for a team without recordings (SQLite p50 147 ms, p95 256 ms; now
  // p50 0.1 ms), and a plain `team IN (…)` made SQLite sort every call of the teams (280 ms at 200k).
  const top = offset + limit;
  const branches: Recordings[] = teams.map((team) => base.where('team', '=', team));
  if (agent)
    branches.push(
      base
        .where('agentId', '=', agent)
        .where((eb) => eb.or([eb('team', 'is', null), eb('team', 'not in', teams)])),
    );
  const [first, ...rest] = branches.map((b, i) =>
    db.selectFrom(newestFirst(b).limit(top).as(`b${i}`)).selectAll(),
  );
  const union = rest.reduce((u, b) => u.unionAll(b), first as NonNullable<typeof first>);
  return db
    .selectFrom(union.as('scoped'))
    .selectAll()
    .orderBy('startedAt', 'desc')
    .orderBy('id')
    .limit(limit)
    .offset(offset);
}

/** The query's own filters, the same in every branch. */
function filtered(s: Recordings, q: SearchQuery): Recordings {
  if (q.from !== undefined) s = s.where('startedAt', '>=', q.from);
  if (q.to !== undefined) s = s.where('startedAt', '<', q.to);
  if (q.agentId) s = s.where('agentId', '=', q.agentId);
  if (q.team) s = s.where('team', '=', q.team);
  if (q.queue) s = s.where('queue', '=', q.queue);
  if (q.direction) s = s.where('direction', '=', q.direction);
  if (q.policyId) s = s.where('policyId', '=', q.policyId);
  if (q.state) s = s.where('state', '=', q.state);
  if (q.customerHash !== undefined) s = s.where('customerHash', '=', q.customerHash);
  if (q.purpose) s = s.where('purposes', 'like', `%"${q.purpose.replace(/[^a-z_]/g, '')}"%`);
  if (q.minDurationMs !== undefined) s = s.where('durationMs', '>=', q.minDurationMs);
  if (q.maxDurationMs !== undefined) s = s.where('durationMs', '<=', q.maxDurationMs);
  return s;
}
