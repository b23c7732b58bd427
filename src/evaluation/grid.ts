/**
 * Evaluation grid templates and score computation (pure). A template is versioned: a change is a new
 * version, and an evaluation names the version it was made with, so its score never moves afterwards.
 *
 * Scoring (docs/evaluation.md): each answered criterion gives a fraction in [0, 1] (scale value / max;
 * yes = 1, no = 0); NA answers are excluded from numerator and denominator. Total and section scores are
 * the weighted mean × 100, rounded to 0.1. A critical criterion failed (answer `no`, or 0 on a scale)
 * flags the evaluation; with `criticalFailure: 'zero'` the total is also forced to 0.
 */
import { fail } from '../errors.ts';
import { EvaluationErrors } from './errors.ts';

export type CriterionKind = 'scale' | 'yes_no';

export interface Criterion {
  readonly id: string;
  readonly label: string;
  readonly kind: CriterionKind;
  /** For `scale`: answers are integers 0..max (1..10). */
  readonly max?: number;
  /** Relative weight, > 0 (default 1). */
  readonly weight: number;
  /** Failing it flags the evaluation (and zeroes it when the grid says so). */
  readonly critical: boolean;
  /** Whether `na` is an accepted answer. */
  readonly allowNa: boolean;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly criteria: readonly Criterion[];
}

export interface GridDefinition {
  readonly name: string;
  readonly sections: readonly Section[];
  /** What a failed critical criterion does to the total (default `zero`). */
  readonly criticalFailure: 'zero' | 'flag';
}

export interface GridVersion extends GridDefinition {
  readonly gridId: string;
  readonly version: number;
  readonly createdAt: number;
  readonly createdBy: string;
}

export type Answer = number | 'yes' | 'no' | 'na';
export type Answers = Readonly<Record<string, Answer>>;

export interface ScoreResult {
  /** 0..100, or null when every criterion was NA. */
  readonly total: number | null;
  readonly sections: readonly { readonly id: string; readonly score: number | null }[];
  /** Ids of critical criteria that failed. */
  readonly criticalFailed: readonly string[];
  readonly flagged: boolean;
}

const ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function bad(message: string): never {
  throw fail(EvaluationErrors.GRID_INVALID, message);
}

/** Validates a definition from outside (API, file) and returns it normalised (defaults filled). */
export function parseGrid(input: unknown): GridDefinition {
  const g = input as Partial<GridDefinition> | null;
  if (!g || typeof g !== 'object') bad('a grid is an object');
  if (typeof g.name !== 'string' || g.name.trim() === '' || g.name.length > 200)
    bad('name: 1..200 characters');
  if (!Array.isArray(g.sections) || g.sections.length === 0) bad('sections: at least one');
  const seen = new Set<string>();
  const sections = g.sections.map((s: Partial<Section>, i) => {
    if (typeof s.id !== 'string' || !ID.test(s.id)) bad(`sections[${i}].id: lowercase id`);
    if (seen.has(s.id)) bad(`duplicate id ${s.id}`);
    seen.add(s.id);
    if (!Array.isArray(s.criteria) || s.criteria.length === 0) bad(`sections[${i}].criteria: at least one`);
    const criteria = s.criteria.map((c, j) => parseCriterion(c, `sections[${i}].criteria[${j}]`, seen));
    return { id: s.id, title: String(s.title ?? s.id), criteria };
  });
  const criticalFailure = g.criticalFailure ?? 'zero';
  if (criticalFailure !== 'zero' && criticalFailure !== 'flag') bad('criticalFailure: zero or flag');
  return { name: g.name.trim(), sections, criticalFailure };
}

function parseCriterion(input: unknown, at: string, seen: Set<string>): Criterion {
  const c = input as Partial<Criterion> | null;
  if (!c || typeof c !== 'object') bad(`${at}: an object`);
  if (typeof c.id !== 'string' || !ID.test(c.id)) bad(`${at}.id: lowercase id`);
  if (seen.has(c.id)) bad(`duplicate id ${c.id}`);
  seen.add(c.id);
  if (c.kind !== 'scale' && c.kind !== 'yes_no') bad(`${at}.kind: scale or yes_no`);
  const weight = c.weight ?? 1;
  if (typeof weight !== 'number' || !(weight > 0) || weight > 100) bad(`${at}.weight: > 0 and <= 100`);
  if (c.kind === 'scale' && (!Number.isInteger(c.max) || (c.max as number) < 1 || (c.max as number) > 10))
    bad(`${at}.max: integer 1..10`);
  return {
    id: c.id,
    label: String(c.label ?? c.id),
    kind: c.kind,
    ...(c.kind === 'scale' ? { max: c.max } : {}),
    weight,
    critical: c.critical === true,
    allowNa: c.allowNa !== false,
  };
}

/** Checks that `answers` answer exactly the grid's criteria with values in range. */
export function checkAnswers(grid: GridDefinition, answers: Answers): void {
  const ids = new Set<string>();
  for (const s of grid.sections)
    for (const c of s.criteria) {
      ids.add(c.id);
      const a = answers[c.id];
      if (a === undefined) throw fail(EvaluationErrors.ANSWERS_INVALID, `criterion ${c.id} unanswered`);
      if (a === 'na') {
        if (!c.allowNa) throw fail(EvaluationErrors.ANSWERS_INVALID, `criterion ${c.id} may not be NA`);
      } else if (c.kind === 'yes_no' ? a !== 'yes' && a !== 'no' : !isScaleValue(a, c.max ?? 0)) {
        throw fail(EvaluationErrors.ANSWERS_INVALID, `criterion ${c.id}: answer out of its scale`);
      }
    }
  for (const k of Object.keys(answers))
    if (!ids.has(k)) throw fail(EvaluationErrors.ANSWERS_INVALID, `unknown criterion ${k}`);
}

const isScaleValue = (a: Answer, max: number): boolean =>
  typeof a === 'number' && Number.isInteger(a) && a >= 0 && a <= max;

function fraction(c: Criterion, a: Answer): number | undefined {
  if (a === 'na') return undefined;
  if (c.kind === 'yes_no') return a === 'yes' ? 1 : 0;
  return (a as number) / (c.max ?? 1);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** The score of answers already checked with `checkAnswers`. */
export function scoreEvaluation(grid: GridDefinition, answers: Answers): ScoreResult {
  let num = 0;
  let den = 0;
  const criticalFailed: string[] = [];
  const sections = grid.sections.map((s) => {
    let sn = 0;
    let sd = 0;
    for (const c of s.criteria) {
      const f = fraction(c, answers[c.id] ?? 'na');
      if (f === undefined) continue;
      sn += f * c.weight;
      sd += c.weight;
      if (c.critical && f === 0) criticalFailed.push(c.id);
    }
    num += sn;
    den += sd;
    return { id: s.id, score: sd === 0 ? null : round1((100 * sn) / sd) };
  });
  const flagged = criticalFailed.length > 0;
  const raw = den === 0 ? null : round1((100 * num) / den);
  const total = flagged && grid.criticalFailure === 'zero' ? 0 : raw;
  return { total, sections, criticalFailed, flagged };
}

/** Every criterion id of a grid, in order (calibration spreads are reported per criterion). */
export function criterionIds(grid: GridDefinition): string[] {
  return grid.sections.flatMap((s) => s.criteria.map((c) => c.id));
}

/** A criterion's answer as a comparable number in [0, 100] (NA → undefined), for calibration. */
export function answerPercent(grid: GridDefinition, id: string, a: Answer | undefined): number | undefined {
  for (const s of grid.sections)
    for (const c of s.criteria)
      if (c.id === id && a !== undefined) {
        const f = fraction(c, a);
        return f === undefined ? undefined : f * 100;
      }
  return undefined;
}
