/**
 * In-band DTMF detection (ITU-T Q.23/Q.24) with the Goertzel algorithm on 8 kHz PCM16, streaming.
 * A frame holds a digit when one row and one column frequency together carry most of the frame's energy,
 * each dominates its group, their levels differ by less than the allowed twist, and the frame is loud
 * enough. A digit is confirmed after `minDurationMs` of consecutive frames, so speech, music and single
 * tones (dial tone, 1 kHz test tones) do not trigger it. Used by the masker (R-PCI-2) and the objection
 * check (R-CAL-2); digits are never stored.
 */
export const DTMF_ROWS = [697, 770, 852, 941] as const;
export const DTMF_COLS = [1209, 1336, 1477, 1633] as const;
const KEYS = ['123A', '456B', '789C', '*0#D'] as const;

/** The (row, column) frequencies of a DTMF key, or undefined. */
export function dtmfFrequencies(digit: string): readonly [number, number] | undefined {
  for (let r = 0; r < 4; r++) {
    const c = (KEYS[r] as string).indexOf(digit.toUpperCase());
    if (c >= 0) return [DTMF_ROWS[r] as number, DTMF_COLS[c] as number];
  }
  return undefined;
}

export interface DtmfDetectorOptions {
  /** Analysis window in samples; default 160 (20 ms at 8 kHz). */
  readonly windowSamples?: number;
  /** Hop between windows in samples; default 80 (10 ms). */
  readonly hopSamples?: number;
  /** Minimum tone duration before a digit is confirmed, in ms; default 40 (Q.24 acceptance). */
  readonly minDurationMs?: number;
  /** Minimum RMS of a frame; default 150 (about -47 dBFS). */
  readonly minRms?: number;
  /** Minimum share of the frame's energy in the row and column tones together; default 0.7. */
  readonly minToneShare?: number;
  /** Maximum level difference between row and column tone, in dB; default 8. */
  readonly maxTwistDb?: number;
  /** How much the strongest tone of a group must exceed the others of its group, in dB; default 6. */
  readonly minDominanceDb?: number;
  readonly sampleRate?: number;
}

export interface DtmfEvents {
  /** A digit was confirmed; `start` is the absolute sample index of the first frame of its run. */
  onStart?(digit: string, start: number): void;
  /** The confirmed digit ended; `end` is the absolute sample index just after its last frame. */
  onEnd?(digit: string, end: number): void;
}

export class DtmfDetector {
  readonly #win: number;
  readonly #hop: number;
  readonly #minFrames: number;
  readonly #minEnergy: number;
  readonly #minShare: number;
  readonly #maxTwist: number;
  readonly #dominance: number;
  readonly #rowCoeff: Float64Array;
  readonly #colCoeff: Float64Array;
  readonly #buf: Float64Array;
  readonly #rowP = new Float64Array(4);
  readonly #colP = new Float64Array(4);
  #fill = 0;
  /** Absolute index of the next sample pushed. */
  #index = 0;
  #runKey = -1;
  #runStart = 0;
  #runFrames = 0;
  #runEnd = 0;
  #confirmed = false;

  constructor(
    private readonly events: DtmfEvents = {},
    opts: DtmfDetectorOptions = {},
  ) {
    const rate = opts.sampleRate ?? 8000;
    this.#win = opts.windowSamples ?? 160;
    this.#hop = opts.hopSamples ?? 80;
    const minMs = opts.minDurationMs ?? 40;
    // A run of k frames spans win + (k-1)·hop samples.
    this.#minFrames = Math.max(1, Math.ceil(((minMs * rate) / 1000 - this.#win) / this.#hop) + 1);
    const minRms = opts.minRms ?? 150;
    this.#minEnergy = minRms * minRms * this.#win;
    this.#minShare = opts.minToneShare ?? 0.7;
    this.#maxTwist = Math.pow(10, (opts.maxTwistDb ?? 8) / 10);
    this.#dominance = Math.pow(10, (opts.minDominanceDb ?? 6) / 10);
    const coeff = (f: number): number => 2 * Math.cos((2 * Math.PI * f) / rate);
    this.#rowCoeff = Float64Array.from(DTMF_ROWS, coeff);
    this.#colCoeff = Float64Array.from(DTMF_COLS, coeff);
    this.#buf = new Float64Array(this.#win);
  }

  /** Samples of look-ahead the detector needs before it confirms a tone that started at the run's start. */
  get confirmLatencySamples(): number {
    return this.#win + (this.#minFrames - 1) * this.#hop;
  }

  /** Absolute index of the next sample to be pushed. */
  get index(): number {
    return this.#index;
  }

  push(samples: Int16Array, start = 0, end = samples.length): void {
    const buf = this.#buf;
    for (let i = start; i < end; i++) {
      buf[this.#fill++] = samples[i] as number;
      this.#index++;
      if (this.#fill === this.#win) {
        this.#frame(this.#analyse(), this.#index - this.#win);
        // Keep the overlap (win - hop samples) for the next window.
        buf.copyWithin(0, this.#hop);
        this.#fill = this.#win - this.#hop;
      }
    }
  }

  /** Ends any confirmed digit (call end). */
  flush(): void {
    this.#frame(-1, this.#index);
  }

  #frame(key: number, frameStart: number): void {
    if (key >= 0 && key === this.#runKey) {
      this.#runFrames++;
      this.#runEnd = frameStart + this.#win;
      if (!this.#confirmed && this.#runFrames >= this.#minFrames) {
        this.#confirmed = true;
        this.events.onStart?.(keyChar(key), this.#runStart);
      }
      return;
    }
    if (this.#confirmed) this.events.onEnd?.(keyChar(this.#runKey), this.#runEnd);
    this.#confirmed = false;
    this.#runKey = key;
    this.#runFrames = key >= 0 ? 1 : 0;
    this.#runStart = frameStart;
    this.#runEnd = frameStart + this.#win;
    if (key >= 0 && this.#minFrames <= 1) {
      this.#confirmed = true;
      this.events.onStart?.(keyChar(key), frameStart);
    }
  }

  /** Returns the key index (row·4 + column) the current window holds, or -1. */
  #analyse(): number {
    const buf = this.#buf;
    const n = this.#win;
    let e = 0;
    for (let i = 0; i < n; i++) e += (buf[i] as number) * (buf[i] as number);
    if (e < this.#minEnergy) return -1;
    const r = best(buf, n, this.#rowCoeff, this.#rowP);
    const c = best(buf, n, this.#colCoeff, this.#colP);
    const rp = this.#rowP[r] as number;
    const cp = this.#colP[c] as number;
    const share = (2 * (rp + cp)) / (n * e);
    if (share < this.#minShare) return -1;
    if (rp > cp * this.#maxTwist || cp > rp * this.#maxTwist) return -1;
    if (!dominates(this.#rowP, r, this.#dominance) || !dominates(this.#colP, c, this.#dominance)) return -1;
    return r * 4 + c;
  }
}

function best(buf: Float64Array, n: number, coeffs: Float64Array, out: Float64Array): number {
  let arg = 0;
  for (let k = 0; k < coeffs.length; k++) {
    const coeff = coeffs[k] as number;
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = (buf[i] as number) + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    out[k] = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    if ((out[k] as number) > (out[arg] as number)) arg = k;
  }
  return arg;
}

function dominates(p: Float64Array, winner: number, factor: number): boolean {
  const w = p[winner] as number;
  for (let k = 0; k < p.length; k++) if (k !== winner && (p[k] as number) * factor > w) return false;
  return true;
}

function keyChar(key: number): string {
  return (KEYS[key >> 2] as string)[key & 3] as string;
}
