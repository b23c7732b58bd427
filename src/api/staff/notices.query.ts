/**
 * R-EMP-2: how far the employee notice has been acknowledged, as counts only. The DPO sees, for each
 * notice version, how many agents of the directory acknowledged it, out of how many agents there are;
 * never who (the agent directory and `ecoute agents` are where names live).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

export interface NoticeVersionCount {
  readonly version: number;
  /** Agents of the directory who acknowledged this version (each once, whatever the number of links). */
  readonly acknowledged: number;
  /** This is the version of the policy file in force (`notices.employee.version`). */
  readonly current: boolean;
}

export interface NoticeAcknowledgements {
  /** Agents in the directory now: the "out of how many" of every version. */
  readonly agents: number;
  /** The employee notice version in force; null when no policy is in force. */
  readonly current: number | null;
  /** Newest first; the version in force is listed even before anyone acknowledged it. */
  readonly versions: readonly NoticeVersionCount[];
}

export async function noticeAcknowledgements(
  db: Kysely<Database>,
  current: number | undefined,
): Promise<NoticeAcknowledgements> {
  const total = await db
    .selectFrom('agents')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .executeTakeFirst();
  // Every acknowledgement is kept (agents.repo.ts `ack`): an agent who followed two links counts once.
  const rows = await db
    .selectFrom('agentNoticeAcks')
    .select((eb) => [
      'noticeVersion as version',
      eb.fn.count<number | string | bigint>('agentId').distinct().as('acknowledged'),
    ])
    .groupBy('noticeVersion')
    .execute();
  const counts = new Map(rows.map((r) => [Number(r.version), Number(r.acknowledged)]));
  if (current !== undefined && !counts.has(current)) counts.set(current, 0);
  return {
    agents: Number(total?.n ?? 0),
    current: current ?? null,
    versions: [...counts]
      .sort(([a], [b]) => b - a)
      .map(([version, acknowledged]) => ({ version, acknowledged, current: version === current })),
  };
}
