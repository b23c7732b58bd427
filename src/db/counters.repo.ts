/**
 * Anonymous decision counters (R-MIN-4) and the per-agent daily recording cap (R-PUR-3).
 * A decision counter carries no call id, agent or number: only policy, day, outcome, reason and rule.
 */
import { sql } from 'kysely';
import type { RepoContext } from './types.ts';

export interface DecisionCount {
  /** '' when no policy applied. */
  readonly policyId: string;
  /** 'YYYY-MM-DD'. */
  readonly day: string;
  /** e.g. `recorded`, `not_recorded`. */
  readonly outcome: string;
  /** e.g. `not_sampled`, `agent_not_informed`. */
  readonly reason: string;
  /** e.g. `R-EMP-2`; '' when none. */
  readonly ruleId: string;
  readonly count: number;
}

export interface CounterKey {
  readonly policyId: string | undefined;
  readonly day: string;
  readonly outcome: string;
  readonly reason: string;
  readonly ruleId?: string | undefined;
}

export function countersRepo({ k }: RepoContext) {
  return {
    /** Adds `by` (default 1) to one anonymous counter, atomically. */
    async increment(key: CounterKey, by = 1): Promise<void> {
      await k
        .insertInto('decisionCounters')
        .values({
          policyId: key.policyId ?? '',
          day: key.day,
          outcome: key.outcome,
          reason: key.reason,
          ruleId: key.ruleId ?? '',
          count: by,
        })
        .onConflict((oc) =>
          oc
            .columns(['policyId', 'day', 'outcome', 'reason', 'ruleId'])
            .doUpdateSet({ count: sql<number>`decision_counters.count + ${by}` }),
        )
        .execute();
    },

    /** Counters between two days inclusive ('YYYY-MM-DD'), optionally for one policy. */
    async list(range: { fromDay: string; toDay: string; policyId?: string }): Promise<DecisionCount[]> {
      let q = k
        .selectFrom('decisionCounters')
        .selectAll()
        .where('day', '>=', range.fromDay)
        .where('day', '<=', range.toDay)
        .orderBy('day')
        .orderBy('policyId')
        .orderBy('outcome')
        .orderBy('reason')
        .orderBy('ruleId');
      if (range.policyId !== undefined) q = q.where('policyId', '=', range.policyId);
      return (await q.execute()).map((r) => ({ ...r, count: Number(r.count) }));
    },

    /**
     * R-PUR-3: takes one of `max` recording slots of an agent for a day under a policy. Atomic on both
     * dialects: a single upsert whose update only fires while count < max, so concurrent callers on any
     * number of nodes never overshoot. Returns true if a slot was taken.
     */
    async reserveSlot(policyId: string, agentId: string, day: string, max: number): Promise<boolean> {
      if (!(max >= 1)) return false;
      const row = await k
        .insertInto('agentDailyCounts')
        .values({ policyId, agentId, day, count: 1 })
        .onConflict((oc) =>
          oc
            .columns(['policyId', 'agentId', 'day'])
            .doUpdateSet({ count: sql<number>`agent_daily_counts.count + 1` })
            .where('agentDailyCounts.count', '<', max),
        )
        .returning('count')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Gives a slot back (e.g. the recording was refused after all before any audio was kept). */
    async releaseSlot(policyId: string, agentId: string, day: string): Promise<void> {
      await k
        .updateTable('agentDailyCounts')
        .set({ count: sql<number>`count - 1` })
        .where('policyId', '=', policyId)
        .where('agentId', '=', agentId)
        .where('day', '=', day)
        .where('count', '>', 0)
        .execute();
    },

    /** Slots used per policy by one agent on one day (CallFacts.recordedTodayForAgent). */
    async slotsUsed(agentId: string, day: string): Promise<Record<string, number>> {
      const rows = await k
        .selectFrom('agentDailyCounts')
        .select(['policyId', 'count'])
        .where('agentId', '=', agentId)
        .where('day', '=', day)
        .execute();
      return Object.fromEntries(rows.map((r) => [r.policyId, Number(r.count)]));
    },
  };
}

export type CountersRepo = ReturnType<typeof countersRepo>;
