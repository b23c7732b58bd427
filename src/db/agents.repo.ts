/**
 * The agent directory (R-EMP-2, R-EMP-4, R-EMP-5): who is in which team, on which line, whether the line
 * is protected or never recorded, and which employee-notice version each agent acknowledged, when.
 */
import { fail } from '../errors.ts';
import { flag, isSet, newId, nul, opt } from './codec.ts';
import { AgentsErrors } from './errors.ts';
import type { AgentsTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export interface Agent {
  readonly id: string;
  readonly displayName: string;
  readonly teamId: string | undefined;
  /** SIP address of record, e.g. `sip:1001@pbx.example`. */
  readonly sipAor: string | undefined;
  readonly extension: string | undefined;
  /** R-EMP-5: a staff representative's line: never recorded nor listened to. */
  readonly protectedLine: boolean;
  /** R-EMP-4: a line marked never-record (personal calls). */
  readonly neverRecord: boolean;
  /** R-EMP-2: latest acknowledged employee-notice version. */
  readonly noticeVersion: number | undefined;
  readonly noticeAckedAt: number | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AgentInput {
  readonly id: string;
  readonly displayName: string;
  readonly teamId?: string | undefined;
  readonly sipAor?: string | undefined;
  readonly extension?: string | undefined;
  readonly protectedLine?: boolean;
  readonly neverRecord?: boolean;
}

export interface NoticeAck {
  readonly agentId: string;
  readonly noticeVersion: number;
  readonly ackedAt: number;
  /** Where it was acknowledged: `cli`, `console`, `api`. */
  readonly source: string;
}

export interface Team {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
}

function toAgent(r: AgentsTable): Agent {
  return {
    id: r.id,
    displayName: r.displayName,
    teamId: opt(r.teamId),
    sipAor: opt(r.sipAor),
    extension: opt(r.extension),
    protectedLine: isSet(r.protectedLine),
    neverRecord: isSet(r.neverRecord),
    noticeVersion: opt(r.noticeVersion),
    noticeAckedAt: r.noticeAckedAt === null ? undefined : Number(r.noticeAckedAt),
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
  };
}

export function agentsRepo({ k, clock }: RepoContext) {
  const ensureTeam = async (teamId: string | undefined, now: number): Promise<void> => {
    if (!teamId) return;
    await k
      .insertInto('teams')
      .values({ id: teamId, name: teamId, createdAt: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  };

  return {
    /** Creates or updates an agent (keeps its notice acknowledgement); creates its team if unknown. */
    async upsert(a: AgentInput): Promise<Agent> {
      const now = clock.now();
      await ensureTeam(a.teamId, now);
      const values = {
        displayName: a.displayName,
        teamId: nul(a.teamId),
        sipAor: nul(a.sipAor),
        extension: nul(a.extension),
        protectedLine: flag(a.protectedLine),
        neverRecord: flag(a.neverRecord),
        updatedAt: now,
      };
      await k
        .insertInto('agents')
        .values({ id: a.id, ...values, createdAt: now })
        .onConflict((oc) => oc.column('id').doUpdateSet(values))
        .execute();
      return (await this.get(a.id)) as Agent;
    },

    async get(id: string): Promise<Agent | undefined> {
      const r = await k.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toAgent(r);
    },

    /** Resolves the agent on a line: by SIP AOR, or by extension. */
    async byAor(aorOrExtension: string): Promise<Agent | undefined> {
      const r = await k
        .selectFrom('agents')
        .selectAll()
        .where((eb) => eb.or([eb('sipAor', '=', aorOrExtension), eb('extension', '=', aorOrExtension)]))
        .orderBy('id')
        .executeTakeFirst();
      return r && toAgent(r);
    },

    async list(filter: { teamId?: string } = {}): Promise<Agent[]> {
      let q = k.selectFrom('agents').selectAll().orderBy('id');
      if (filter.teamId) q = q.where('teamId', '=', filter.teamId);
      return (await q.execute()).map(toAgent);
    },

    /** R-EMP-2: records an acknowledgement (kept in the history) and makes it the agent's current one. */
    async ack(agentId: string, noticeVersion: number, source = 'cli'): Promise<Agent> {
      const now = clock.now();
      const res = await k
        .updateTable('agents')
        .set({ noticeVersion, noticeAckedAt: now, updatedAt: now })
        .where('id', '=', agentId)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0)
        throw fail(AgentsErrors.UNKNOWN_AGENT, `no agent ${agentId} in the directory`, { agentId });
      await k
        .insertInto('agentNoticeAcks')
        .values({ id: newId(), agentId, noticeVersion, ackedAt: now, source })
        .execute();
      return (await this.get(agentId)) as Agent;
    },

    async ackHistory(agentId: string): Promise<NoticeAck[]> {
      const rows = await k
        .selectFrom('agentNoticeAcks')
        .select(['agentId', 'noticeVersion', 'ackedAt', 'source'])
        .where('agentId', '=', agentId)
        .orderBy('ackedAt')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({ ...r, ackedAt: Number(r.ackedAt) }));
    },

    async teams(): Promise<Team[]> {
      const rows = await k.selectFrom('teams').selectAll().orderBy('id').execute();
      return rows.map((r) => ({ ...r, createdAt: Number(r.createdAt) }));
    },

    async upsertTeam(id: string, name: string): Promise<void> {
      await k
        .insertInto('teams')
        .values({ id, name, createdAt: clock.now() })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name }))
        .execute();
    },
  };
}

export type AgentsRepo = ReturnType<typeof agentsRepo>;
