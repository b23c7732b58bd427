/**
 * R-PUR-4: randomness as a port. The engine never picks its own random numbers: it asks an `Rng`, and
 * every draw comes with the seed that produced it so that an auditor can recompute the value
 * (src/random.ts: value = HMAC-SHA-256(seed, 'ecoute-draw'), first 53 bits / 2^53).
 */
export interface Draw {
  /** Uniform in [0, 1). */
  readonly value: number;
  /** The seed the value derives from (hex), stored with the decision. */
  readonly seed: string;
}

export interface Rng {
  draw(): Draw;
}
