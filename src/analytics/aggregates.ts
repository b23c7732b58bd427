/**
 * Aggregates per team and period for quality managers, from analysis documents only: evaluations
 * (scores) and talk analytics. R-SEC-3: the access log is never an input — this module does not import
 * it and queries only `analysis_documents` joined with `recordings` (a test checks both). The period is
 * the calls' start time, [from, to).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { fail } from '../errors.ts';
import { AnalyticsErrors } from './errors.ts';
import type { TalkAnalyticsContent } from './analytics.job.ts';

export interface AggregateQuery {
  readonly teams: readonly string[];
  readonly from: number;
  readonly to: number;
}

export interface EvaluationFigures {
  readonly count: number;
  readonly meanScore: number | null;
  /** Evaluations with a failed critical criterion. */
  readonly flagged: number;
}

export interface TalkFigures {
  readonly calls: number;
  readonly meanTalkRatio: number | null;
  /** Share of analysed time nobody talked. */
  readonly meanSilenceShare: number | null;
  readonly overtalkPerCall: number | null;
  readonly interruptionsByAgentPerCall: number | null;
  readonly interruptionsByCustomerPerCall: number | null;
  readonly meanAgentSyllablesPerSecond: number | null;
  readonly holdGapsPerCall: number | null;
}

export interface TeamAggregate {
  readonly team: string;
  readonly evaluations: EvaluationFigures;
  readonly talk: TalkFigures;
  readonly agents: readonly {
    readonly agentId: string;
    readonly evaluations: EvaluationFigures;
    readonly talk: TalkFigures;
  }[];
}

const MAX_PERIOD_MS = 366 * 86_400_000;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const mean = (xs: readonly number[]): number | null =>
  xs.length ? r3(xs.reduce((s, x) => s + x, 0) / xs.length) : null;

interface Row {
  readonly kind: string;
  readonly agentId: string;
  readonly team: string;
  readonly content: unknown;
}

interface EvalContent {
  readonly score: { readonly total: number | null; readonly flagged: boolean };
}

function evaluationFigures(rows: readonly Row[]): EvaluationFigures {
  const evs = rows.filter((r) => r.kind === 'evaluation').map((r) => r.content as EvalContent);
  return {
    count: evs.length,
    meanScore: mean(evs.map((e) => e.score.total).filter((t): t is number => t !== null)),
    flagged: evs.filter((e) => e.score.flagged).length,
  };
}

function talkFigures(rows: readonly Row[]): TalkFigures {
  const fs = rows
    .filter((r) => r.kind === 'talk_analytics')
    .map((r) => (r.content as TalkAnalyticsContent).figures);
  return {
    calls: fs.length,
    meanTalkRatio: mean(fs.map((f) => f.talkRatio).filter((x): x is number => x !== null)),
    meanSilenceShare: mean(fs.filter((f) => f.analysedMs > 0).map((f) => f.silenceMs / f.analysedMs)),
    overtalkPerCall: mean(fs.map((f) => f.overtalkCount)),
    interruptionsByAgentPerCall: mean(fs.map((f) => f.agent.interruptions)),
    interruptionsByCustomerPerCall: mean(fs.map((f) => f.customer.interruptions)),
    meanAgentSyllablesPerSecond: mean(
      fs.filter((f) => f.agent.talkMs > 0).map((f) => f.agent.syllablesPerSecond),
    ),
    holdGapsPerCall: mean(fs.map((f) => f.holdGaps.count)),
  };
}

export async function teamAggregates(db: Kysely<Database>, q: AggregateQuery): Promise<TeamAggregate[]> {
  if (!(q.to > q.from) || q.to - q.from > MAX_PERIOD_MS)
    throw fail(AnalyticsErrors.BAD_PERIOD, 'period must be non-empty and at most 366 days', {
      from: q.from,
      to: q.to,
    });
  if (q.teams.length === 0) return [];
  const raw = await db
    .selectFrom('analysisDocuments as d')
    .innerJoin('recordings as r', 'r.id', 'd.recordingId')
    .select(['d.kind', 'd.agentId', 'd.content', 'r.team'])
    .where('d.kind', 'in', ['evaluation', 'talk_analytics'])
    .where('r.team', 'in', [...q.teams])
    .where('r.startedAt', '>=', q.from)
    .where('r.startedAt', '<', q.to)
    .execute();
  const rows: Row[] = raw.map((r) => ({
    kind: r.kind,
    agentId: r.agentId,
    team: r.team ?? '',
    content: JSON.parse(r.content) as unknown,
  }));
  return [...q.teams].sort().map((team) => {
    const mine = rows.filter((r) => r.team === team);
    const agentIds = [...new Set(mine.map((r) => r.agentId))].sort();
    return {
      team,
      evaluations: evaluationFigures(mine),
      talk: talkFigures(mine),
      agents: agentIds.map((agentId) => {
        const a = mine.filter((r) => r.agentId === agentId);
        return { agentId, evaluations: evaluationFigures(a), talk: talkFigures(a) };
      }),
    };
  });
}
