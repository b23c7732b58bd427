/**
 * The Goertzel algorithm: the power of one frequency over a frame, in O(N) with two state variables.
 * `toneRatio` normalises it to the fraction of the frame's energy at that frequency (1 for a pure tone
 * centred on it), which makes thresholds independent of level.
 */
export function goertzelPower(
  samples: ArrayLike<number>,
  start: number,
  n: number,
  freq: number,
  sampleRate = 8000,
): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freq) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[start + i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/** Fraction (0..~1) of the energy of `samples[start, start+n)` that sits at `freq`. */
export function toneRatio(
  samples: ArrayLike<number>,
  start: number,
  n: number,
  freq: number,
  sampleRate = 8000,
): number {
  let e = 0;
  for (let i = 0; i < n; i++) {
    const v = samples[start + i] as number;
    e += v * v;
  }
  if (e === 0) return 0;
  return (2 * goertzelPower(samples, start, n, freq, sampleRate)) / (n * e);
}
