/** Signal levels of PCM16 audio: energy and RMS per frame, for analytics and tests. */

/** Sum of squares of `samples[start, end)` taken every `stride` samples (stride 2 reads one channel of stereo). */
export function energy(samples: Int16Array, start = 0, end = samples.length, stride = 1): number {
  let e = 0;
  for (let i = start; i < end; i += stride) {
    const v = samples[i] as number;
    e += v * v;
  }
  return e;
}

/** Root mean square of `samples[start, end)` (stride as in `energy`). */
export function rms(samples: Int16Array, start = 0, end = samples.length, stride = 1): number {
  const n = Math.ceil((end - start) / stride);
  return n > 0 ? Math.sqrt(energy(samples, start, end, stride) / n) : 0;
}

/** Level in dB relative to full scale (a full-scale square wave is 0 dBFS); -Infinity for silence. */
export function dbfs(rmsValue: number): number {
  return 20 * Math.log10(rmsValue / 32768);
}

/**
 * RMS of each `frameSamples` frame of one channel. `channels`/`channel` read interleaved audio. The last
 * partial frame is included. Writes into `out` when given (no allocation on a hot path).
 */
export function frameRms(
  samples: Int16Array,
  frameSamples: number,
  channels = 1,
  channel = 0,
  out?: Float32Array,
): Float32Array {
  const frames = Math.ceil(samples.length / channels / frameSamples);
  const res = out ?? new Float32Array(frames);
  for (let f = 0; f < frames && f < res.length; f++) {
    const start = f * frameSamples * channels + channel;
    const end = Math.min(samples.length, (f + 1) * frameSamples * channels);
    res[f] = rms(samples, start, end, channels);
  }
  return res;
}
