/**
 * Evaluation sampling (pure): N recordings per agent and month drawn at random from what the policies
 * recorded for that agent. The draw is a seeded shuffle so that it can be replayed: the seed, the
 * candidate list and the picks are stored together (like R-PUR-4's capture draws).
 */
import type { Rng } from '../policy/rng.ts';

/** Picks `count` of `candidates` (sorted first, so the order they came in does not matter). */
export function drawSample(candidates: readonly string[], count: number, rng: Rng): string[] {
  const pool = [...candidates].sort();
  const n = Math.min(count, pool.length);
  // Partial Fisher–Yates: position i takes a uniformly chosen element of pool[i..].
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.draw().value * (pool.length - i));
    const t = pool[i] as string;
    pool[i] = pool[j] as string;
    pool[j] = t;
  }
  return pool.slice(0, n);
}

/** [start, end) in ms of a UTC month 'YYYY-MM', or undefined when malformed. */
export function monthRange(month: string): { from: number; to: number } | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { from: Date.UTC(y, mo, 1), to: Date.UTC(y, mo + 1, 1) };
}
