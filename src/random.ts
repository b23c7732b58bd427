/**
 * R-PUR-4: the random draws of the policy engine (its `Rng` port), outside src/policy because they use
 * node:crypto. Every draw is value = first 53 bits of HMAC-SHA-256(key = seed, 'ecoute-draw') / 2^53,
 * so an auditor holding the stored seed recomputes the value, and nobody can pick a seed for a value.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Draw, Rng } from './policy/rng.ts';

const TWO_POW_53 = 2 ** 53;

/** The value a seed yields, in [0, 1). */
export function drawValue(seed: string): number {
  const mac = createHmac('sha256', seed).update('ecoute-draw').digest();
  // 53 bits: the 32 high bits of the first word, then the 21 high bits of the second.
  const hi = mac.readUInt32BE(0);
  const lo = mac.readUInt32BE(4) >>> 11;
  return (hi * 2 ** 21 + lo) / TWO_POW_53;
}

/** Production: a fresh 128-bit seed from the CSPRNG for every draw. */
export function cryptoRng(): Rng {
  return {
    draw: (): Draw => {
      const seed = randomBytes(16).toString('hex');
      return { value: drawValue(seed), seed };
    },
  };
}

/** Replays a stored seed: every draw returns that seed and its value. */
export function replayRng(seed: string): Rng {
  const draw: Draw = { value: drawValue(seed), seed };
  return { draw: () => draw };
}

/** Deterministic sequence for tests and benchmarks: seed n is HMAC(seedString, n), 128 bits in hex. */
export function seededRng(seedString: string): Rng {
  let n = 0;
  return {
    draw: (): Draw => {
      const seed = createHmac('sha256', seedString).update(`ecoute-seq:${n++}`).digest('hex').slice(0, 32);
      return { value: drawValue(seed), seed };
    },
  };
}
