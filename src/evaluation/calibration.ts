/**
 * Calibration (pure): several evaluators score the same recording with the same grid version; the
 * spread per criterion and of the total shows where the grid is read differently. Values are percents
 * (criterion fraction × 100); NA answers are left out of their criterion's figures.
 */
import { answerPercent, criterionIds, type Answers, type GridDefinition } from './grid.ts';

export interface Spread {
  /** Number of non-NA values. */
  readonly n: number;
  readonly min: number | null;
  readonly max: number | null;
  /** max − min. */
  readonly spread: number | null;
  /** Population standard deviation. */
  readonly stdDev: number | null;
  readonly mean: number | null;
}

export interface CalibrationReport {
  readonly evaluations: number;
  readonly total: Spread;
  readonly criteria: readonly ({ readonly id: string } & Spread)[];
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) return { n: 0, min: null, max: null, spread: null, stdDev: null, mean: null };
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  return {
    n: values.length,
    min,
    max,
    spread: r2(max - min),
    stdDev: r2(Math.sqrt(variance)),
    mean: r2(mean),
  };
}

export function calibrationReport(
  grid: GridDefinition,
  entries: readonly { readonly answers: Answers; readonly total: number | null }[],
): CalibrationReport {
  const criteria = criterionIds(grid).map((id) => {
    const vals = entries
      .map((e) => answerPercent(grid, id, e.answers[id]))
      .filter((v): v is number => v !== undefined);
    return { id, ...spreadOf(vals) };
  });
  const totals = entries.map((e) => e.total).filter((v): v is number => v !== null);
  return { evaluations: entries.length, total: spreadOf(totals), criteria };
}
