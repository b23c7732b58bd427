import { dtmfFrequencies } from './dtmf.detector.ts';

/** Generated test and bench signals, PCM16 at 8 kHz unless told otherwise. */

const msToSamples = (ms: number, rate: number): number => Math.round((ms * rate) / 1000);

export function silence(ms: number, sampleRate = 8000): Int16Array {
  return new Int16Array(msToSamples(ms, sampleRate));
}

/** A sine of `freq` Hz and peak `amplitude`, starting at `phase` radians. */
export function sine(freq: number, ms: number, amplitude = 8000, sampleRate = 8000, phase = 0): Int16Array {
  const out = new Int16Array(msToSamples(ms, sampleRate));
  const w = (2 * Math.PI * freq) / sampleRate;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin(phase + w * i));
  return out;
}

/** A DTMF key's two tones, each of peak `amplitude` (a typical telephone level is 4000–8000). */
export function dtmfTone(digit: string, ms: number, amplitude = 6000, sampleRate = 8000): Int16Array {
  const f = dtmfFrequencies(digit);
  if (!f) throw new RangeError(`not a DTMF key: ${digit}`);
  return mix(sine(f[0], ms, amplitude, sampleRate), sine(f[1], ms, amplitude, sampleRate));
}

/** Sample-wise sum of signals (saturating), as long as the longest. */
export function mix(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(Math.max(0, ...parts.map((p) => p.length)));
  for (const p of parts)
    for (let i = 0; i < p.length; i++) out[i] = clamp((out[i] as number) + (p[i] as number));
  return out;
}

export function concat(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A voiced, speech-like signal: a glottal-like harmonic series (fundamental gliding between f0 and
 * 1.3·f0) shaped by three formants, with syllable-rate amplitude modulation. Used to prove that the DTMF
 * detector does not fire on speech (it is deterministic: a seed varies it).
 */
export function speechLike(ms: number, f0 = 120, seed = 1, amplitude = 6000, sampleRate = 8000): Int16Array {
  const out = new Int16Array(msToSamples(ms, sampleRate));
  const formants = [500 + 300 * frac(seed * 0.37), 1500 + 500 * frac(seed * 0.61), 2500];
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / sampleRate;
    const f = f0 * (1 + 0.3 * (0.5 + 0.5 * Math.sin(2 * Math.PI * 1.7 * t + seed)));
    phase += (2 * Math.PI * f) / sampleRate;
    let v = 0;
    for (let h = 1; (h + 1) * f < sampleRate / 2; h++) {
      let g = 0;
      for (const fm of formants) g += 1 / (1 + ((h * f - fm) / 150) ** 2);
      v += (g / h) * Math.sin(h * phase);
    }
    const syllable = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t + seed);
    out[i] = clamp(amplitude * 0.5 * v * syllable);
  }
  return out;
}

function frac(x: number): number {
  return x - Math.floor(x);
}

function clamp(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}
