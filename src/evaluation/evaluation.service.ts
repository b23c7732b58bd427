/**
 * Evaluations: analysis documents (kind `evaluation`, or `calibration` inside a calibration session).
 * R-MIN-1: the content holds only the grid version, the purpose, the call's technical data (start,
 * duration), the answers and scores, and comments screened for personal data. R-RET-2: `expiresAt` is at
 * most 365 days after creation, computed from the creation alone (never from the audio's expiry).
 */
import type { Clock } from '../clock.ts';
import { DAY_MS } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import type { AnalysisDocument } from '../db/analysis.repo.ts';
import type { Recording } from '../db/recordings.repo.ts';
import { fail } from '../errors.ts';
import { scanPersonalData } from './comment.scanner.ts';
import { EvaluationErrors } from './errors.ts';
import { assertMayEvaluate, inTeams, type Actor } from './evaluation.access.ts';
import { checkAnswers, scoreEvaluation, type Answers, type ScoreResult } from './grid.ts';
import type { GridStore } from './grid.store.ts';

/** R-RET-2: the ceiling, and the default, of an analysis document's life. */
export const MAX_ANALYSIS_RETENTION_DAYS = 365;
export const EVALUATION_KINDS = ['evaluation', 'calibration'] as const;

export interface EvaluationContent {
  readonly gridId: string;
  readonly gridVersion: number;
  readonly purpose: string;
  /** The call's technical data only (R-MIN-1). */
  readonly call: { readonly startedAt: number; readonly durationMs: number | null };
  readonly answers: Answers;
  readonly score: ScoreResult;
  readonly comment: string;
  readonly agentReply?: { readonly text: string; readonly at: number };
  readonly calibrationSessionId?: string;
}

export type Evaluation = AnalysisDocument<EvaluationContent>;

export interface NewEvaluation {
  readonly recordingId: string;
  readonly purpose: string;
  readonly gridId: string;
  /** Default: the latest version. */
  readonly gridVersion?: number;
  readonly answers: Answers;
  readonly comment?: string;
  /** Default and ceiling 365 (R-RET-2). */
  readonly retentionDays?: number;
  readonly calibrationSessionId?: string;
}

export interface EvaluationDeps {
  readonly db: Pick<Repositories, 'analysis' | 'recordings'>;
  readonly grids: GridStore;
  readonly clock: Clock;
}

/** R-MIN-1: refuses text with personal data, reporting kinds and offsets, never the values. */
export function assertClean(text: string, field: string): void {
  const findings = scanPersonalData(text);
  if (findings.length > 0)
    throw fail(EvaluationErrors.PERSONAL_DATA, `${field} contains personal data: remove it before saving`, {
      field,
      findings,
    });
}

/** R-RET-2: expiry from the creation instant, at most 365 days, independent of the recording. */
export function analysisExpiry(createdAt: number, retentionDays = MAX_ANALYSIS_RETENTION_DAYS): number {
  if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > MAX_ANALYSIS_RETENTION_DAYS)
    throw fail(EvaluationErrors.RETENTION_TOO_LONG, 'retentionDays must be 1..365', { retentionDays });
  return createdAt + retentionDays * DAY_MS;
}

const isEvaluation = (d: AnalysisDocument): d is Evaluation =>
  (EVALUATION_KINDS as readonly string[]).includes(d.kind);

export class EvaluationService {
  readonly #d: EvaluationDeps;

  constructor(deps: EvaluationDeps) {
    this.#d = deps;
  }

  async recording(id: string): Promise<Recording> {
    const rec = await this.#d.db.recordings.get(id);
    if (!rec) throw fail(EvaluationErrors.NOT_FOUND, 'no such recording', { recordingId: id });
    return rec;
  }

  async create(actor: Actor, e: NewEvaluation): Promise<Evaluation> {
    const rec = await this.recording(e.recordingId);
    if (rec.state !== 'sealed' || !rec.agentId)
      throw fail(EvaluationErrors.NOT_EVALUABLE, 'recording not sealed or without agent', {
        recordingId: rec.id,
      });
    assertMayEvaluate(actor, rec, e.purpose);
    const grid = await this.#d.grids.get(e.gridId, e.gridVersion, e.gridVersion === undefined);
    checkAnswers(grid, e.answers);
    const comment = (e.comment ?? '').trim();
    assertClean(comment, 'comment');
    const now = this.#d.clock.now();
    const content: EvaluationContent = {
      gridId: grid.gridId,
      gridVersion: grid.version,
      purpose: e.purpose,
      call: { startedAt: rec.startedAt, durationMs: rec.durationMs ?? null },
      answers: { ...e.answers },
      score: scoreEvaluation(grid, e.answers),
      comment,
      ...(e.calibrationSessionId ? { calibrationSessionId: e.calibrationSessionId } : {}),
    };
    const doc = await this.#d.db.analysis.insert({
      recordingId: rec.id,
      kind: e.calibrationSessionId ? 'calibration' : 'evaluation',
      agentId: rec.agentId,
      evaluatorId: actor.id,
      content,
      expiresAt: analysisExpiry(now, e.retentionDays),
    });
    return doc as Evaluation;
  }

  /** Whether `actor` may read `doc`: its agent, its evaluator, or a team-scoped quality role. */
  async #mayRead(actor: Actor, doc: Evaluation): Promise<boolean> {
    if (doc.evaluatorId === actor.id) return true;
    if (actor.agentId !== undefined && actor.agentId === doc.agentId && doc.kind === 'evaluation')
      return true;
    const team = doc.recordingId ? (await this.#d.db.recordings.get(doc.recordingId))?.team : undefined;
    return actor.roles.some(
      (r) => (r === 'supervisor' || r === 'evaluator' || r === 'trainer') && inTeams(actor, r, team),
    );
  }

  async get(actor: Actor, id: string): Promise<Evaluation> {
    const doc = await this.#d.db.analysis.get(id);
    if (!doc || !isEvaluation(doc)) throw fail(EvaluationErrors.NOT_FOUND, 'no such evaluation', { id });
    if (!(await this.#mayRead(actor, doc))) throw fail(EvaluationErrors.FORBIDDEN, 'not yours to read');
    return doc;
  }

  /** R-EMP-7: an agent's own evaluations (calibration rounds are the evaluators' exercise, not shown). */
  async forAgent(actor: Actor, agentId: string): Promise<Evaluation[]> {
    const docs = (await this.#d.db.analysis.forAgent(agentId)).filter(isEvaluation);
    const out: Evaluation[] = [];
    for (const d of docs) if (d.kind === 'evaluation' && (await this.#mayRead(actor, d))) out.push(d);
    return out;
  }

  async forRecording(actor: Actor, recordingId: string): Promise<Evaluation[]> {
    const docs = (await this.#d.db.analysis.forRecording(recordingId)).filter(isEvaluation);
    const out: Evaluation[] = [];
    for (const d of docs) if (await this.#mayRead(actor, d)) out.push(d);
    return out;
  }

  /** The evaluated agent answers once (or replaces their answer); the text is screened (R-MIN-1). */
  async agentReply(actor: Actor, id: string, text: string): Promise<Evaluation> {
    const doc = await this.get(actor, id);
    if (actor.agentId === undefined || actor.agentId !== doc.agentId)
      throw fail(EvaluationErrors.FORBIDDEN, 'only the evaluated agent may reply');
    const clean = text.trim();
    assertClean(clean, 'agentReply');
    const content: EvaluationContent = {
      ...doc.content,
      agentReply: { text: clean, at: this.#d.clock.now() },
    };
    await this.#d.db.analysis.updateContent(id, content);
    return { ...doc, content };
  }
}
