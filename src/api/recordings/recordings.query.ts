import type { Kysely } from 'kysely';
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
  let s = db.selectFrom('recordings').selectAll();
  if (p.kind === 'user' && !p.roles.includes('dpo')) {
    const teams = p.roles.some((r) => TEAM_SCOPED.has(r)) ? p.teams : [];
    const agent = p.roles.includes('agent') ? p.agentId : undefined;
    // R-MIN-3: the teams in scope and/or the agent's own calls; nothing at all without a scope.
    // Query plans (SQLite, 200k rows, bench/search.bench.ts): an agent's own calls are few, so the
    // agent index is best, and a plain predicate lets SQLite use it; a team holds many calls, so walking
    // the started-at index newest first and filtering is best, and wrapping the team test in an OR with a
    // constant-false term keeps SQLite from choosing the team index and sorting all of a team's calls.
    s = s.where((eb) => {
      const none = eb(eb.val(1), '=', 0);
      if (!teams.length && agent) return eb('agentId', '=', agent);
      return eb.or([
        ...(teams.length ? [eb('team', 'in', teams)] : []),
        ...(agent ? [eb('agentId', '=', agent)] : []),
        none,
      ]);
    });
  }
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
  const rows = await s
    .orderBy('startedAt', 'desc')
    .orderBy('id')
    .limit(q.limit ?? 50)
    .offset(q.offset ?? 0)
    .execute();
  return rows.map(view);
}
