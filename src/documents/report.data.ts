/**
 * R-DOC-4: the figures of the compliance report for a period, gathered from the store: recording rate per
 * agent against the policy's sample, decisions by reason (anonymous counters, R-MIN-4), objections,
 * notice acknowledgements, purges done and due, holds, access-log integrity, open requests.
 */
import { DAY_MS } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import type { PolicyFile } from '../policy/policy.types.ts';

export interface AgentRate {
  readonly agentId: string;
  readonly calls: number;
  readonly recorded: number;
  /** recorded / calls, 0 when no call. */
  readonly rate: number;
}

export interface ComplianceData {
  readonly organisation: string;
  readonly from: number;
  readonly to: number;
  /** The highest sampling rate among the active policies (the reference line of the chart). */
  readonly sampleRate: number;
  readonly agents: readonly AgentRate[];
  readonly decisions: readonly { readonly reason: string; readonly count: number }[];
  readonly objections: { readonly duringCall: number; readonly oppositionList: number };
  readonly notices: {
    readonly employeeVersion: number;
    readonly acknowledged: number;
    readonly agents: number;
    readonly callerVersion: number;
  };
  readonly purges: {
    readonly done: readonly { readonly rule: string; readonly count: number }[];
    readonly dueNext30Days: number;
  };
  readonly holds: readonly {
    readonly id: string;
    readonly owner: string;
    readonly reviewAt: number;
    readonly overdue: boolean;
  }[];
  readonly integrity: { readonly ok: boolean; readonly count: number; readonly reason?: string | undefined };
  readonly requests: readonly {
    readonly id: string;
    readonly kind: string;
    readonly deadline: number;
    readonly overdue: boolean;
  }[];
  /** One point per day: recordings made and items purged. */
  readonly timeline: readonly { readonly day: string; readonly recorded: number; readonly purged: number }[];
}

type ReportDb = Pick<
  Repositories,
  'kysely' | 'counters' | 'agents' | 'shredReceipts' | 'legalHolds' | 'dsr' | 'opposition'
>;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export async function gatherCompliance(
  db: ReportDb,
  x: { file: PolicyFile; from: number; to: number; now: number; integrity: ComplianceData['integrity'] },
): Promise<ComplianceData> {
  const k = db.kysely;
  const calls = await k
    .selectFrom('calls')
    .select(['agentId', (eb) => eb.fn.countAll().as('n')])
    .where('startedAt', '>=', x.from)
    .where('startedAt', '<', x.to)
    .groupBy('agentId')
    .execute();
  const recs = await k
    .selectFrom('recordings')
    .select(['agentId', 'startedAt', 'state'])
    .where('startedAt', '>=', x.from)
    .where('startedAt', '<', x.to)
    .execute();
  const perAgent = new Map<string, { calls: number; recorded: number }>();
  for (const c of calls) if (c.agentId) perAgent.set(c.agentId, { calls: Number(c.n), recorded: 0 });
  for (const r of recs) {
    if (!r.agentId) continue;
    const a = perAgent.get(r.agentId) ?? { calls: 0, recorded: 0 };
    a.recorded++;
    perAgent.set(r.agentId, a);
  }
  const agents = [...perAgent]
    .map(([agentId, a]) => ({ agentId, ...a, rate: a.calls > 0 ? a.recorded / a.calls : 0 }))
    .sort((a, b) => a.agentId.localeCompare(b.agentId));

  const counters = await db.counters.list({ fromDay: day(x.from), toDay: day(x.to - 1) });
  const byReason = new Map<string, number>();
  for (const c of counters) byReason.set(c.reason, (byReason.get(c.reason) ?? 0) + c.count);
  const receipts = await db.shredReceipts.list({ from: x.from, to: x.to }, 100_000);
  const byRule = new Map<string, number>();
  for (const r of receipts) byRule.set(r.rule, (byRule.get(r.rule) ?? 0) + 1);
  const due = await k
    .selectFrom('recordings')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('expiresAt', '>=', x.to)
    .where('expiresAt', '<', x.to + 30 * DAY_MS)
    .where('state', '!=', 'shredded')
    .executeTakeFirstOrThrow();
  const allAgents = await db.agents.list();
  const v = x.file.notices.employee.version;
  const timeline = new Map<string, { recorded: number; purged: number }>();
  for (let t = x.from; t < x.to; t += DAY_MS) timeline.set(day(t), { recorded: 0, purged: 0 });
  for (const r of recs) {
    const p = timeline.get(day(Number(r.startedAt)));
    if (p) p.recorded++;
  }
  for (const r of receipts) {
    const p = timeline.get(day(r.at));
    if (p) p.purged++;
  }
  const objected = recs.filter((r) => r.state === 'objected').length + (byReason.get('R-CAL-2') ?? 0);
  return {
    organisation: x.file.organisation.controller.name,
    from: x.from,
    to: x.to,
    sampleRate: Math.max(0, ...x.file.policies.map((p) => p.sampling.rate)),
    agents,
    decisions: [...byReason]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    objections: { duringCall: objected, oppositionList: await db.opposition.count() },
    notices: {
      employeeVersion: v,
      acknowledged: allAgents.filter((a) => a.noticeVersion === v).length,
      agents: allAgents.length,
      callerVersion: x.file.notices.caller.version,
    },
    purges: {
      done: [...byRule]
        .map(([rule, count]) => ({ rule, count }))
        .sort((a, b) => a.rule.localeCompare(b.rule)),
      dueNext30Days: Number(due.n),
    },
    holds: (await db.legalHolds.list({ active: true })).map((h) => ({
      id: h.id,
      owner: h.owner,
      reviewAt: h.reviewAt,
      overdue: h.reviewAt < x.now,
    })),
    integrity: x.integrity,
    requests: (await db.dsr.list({ open: true })).map((r) => {
      const deadline = r.extendedUntil ?? r.dueAt;
      return { id: r.id, kind: r.kind, deadline, overdue: deadline < x.now };
    }),
    timeline: [...timeline].map(([d, p]) => ({ day: d, ...p })),
  };
}
