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

/**
 * The window is analysed in sub-blocks of g = gcd(window, hop) samples (80 by default: a 160-sample window
 * is two of them, and each hop brings one). Each sub-block's energy is summed as it arrives, and its DTMF
 * bins (Goertzel, complex result) are computed once, only when a window that holds it needs them. A
 * window's bin is the sum of its sub-blocks' bins, each turned by the phase of its offset in the window:
 * the same DFT value as a Goertzel run over the whole window, at half the cost with the default overlap.
 * Quiet windows need no bin; loud ones need the row bins only when the strongest column is strong enough
 * for a digit (columns first: speech and call-progress tones carry little energy there).
 */
export class DtmfDetector {
  readonly #win: number;
  readonly #hop: number;
  /** Samples per sub-block. */
  readonly #g: number;
  /** Sub-blocks per window, and per hop. */
  readonly #m: number;
  readonly #perHop: number;
  readonly #minFrames: number;
  readonly #minEnergy: number;
  readonly #minShare: number;
  readonly #maxTwist: number;
  readonly #dominance: number;
  /** Least share of the window's energy the strongest column must hold for any digit to pass. */
  readonly #minColShare: number;
  /** Per bin (4 rows then 4 columns): 2·cos ω, cos ω, sin ω, and the turn of one sub-block, e^{-iωg}. */
  readonly #coeff = new Float64Array(8);
  readonly #cos = new Float64Array(8);
  readonly #sin = new Float64Array(8);
  readonly #turnRe = new Float64Array(8);
  readonly #turnIm = new Float64Array(8);
  /** The last `m` sub-blocks' samples, ring by sub-block; slot k % m holds sub-block k. */
  readonly #buf: Float64Array;
  readonly #energy: Float64Array;
  /** Per slot and group (rows, columns), whether its bins are computed; bins at [slot·8 + bin]. */
  readonly #ready: Uint8Array;
  readonly #binRe: Float64Array;
  readonly #binIm: Float64Array;
  readonly #rowP = new Float64Array(4);
  readonly #colP = new Float64Array(4);
  /** Samples in the sub-block being filled, and its energy so far. */
  #fill = 0;
  #partial = 0;
  /** Sub-blocks completed since the start. */
  #blocks = 0;
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
    this.#g = gcd(this.#win, this.#hop);
    this.#m = this.#win / this.#g;
    this.#perHop = this.#hop / this.#g;
    const minMs = opts.minDurationMs ?? 40;
    // A run of k frames spans win + (k-1)·hop samples.
    this.#minFrames = Math.max(1, Math.ceil(((minMs * rate) / 1000 - this.#win) / this.#hop) + 1);
    const minRms = opts.minRms ?? 150;
    this.#minEnergy = minRms * minRms * this.#win;
    this.#minShare = opts.minToneShare ?? 0.7;
    this.#maxTwist = Math.pow(10, (opts.maxTwistDb ?? 8) / 10);
    this.#dominance = Math.pow(10, (opts.minDominanceDb ?? 6) / 10);
    // share ≥ minShare and rp ≤ cp·maxTwist imply 2·cp·(1 + maxTwist) ≥ minShare·n·e; the slack keeps
    // rounding from rejecting a window the full test would take.
    this.#minColShare = (this.#minShare / (2 * (1 + this.#maxTwist))) * (1 - 1e-9);
    [...DTMF_ROWS, ...DTMF_COLS].forEach((f, k) => {
      const w = (2 * Math.PI * f) / rate;
      this.#coeff[k] = 2 * Math.cos(w);
      this.#cos[k] = Math.cos(w);
      this.#sin[k] = Math.sin(w);
      this.#turnRe[k] = Math.cos(w * this.#g);
      this.#turnIm[k] = -Math.sin(w * this.#g);
    });
    this.#buf = new Float64Array(this.#win);
    this.#energy = new Float64Array(this.#m);
    this.#ready = new Uint8Array(this.#m * 2);
    this.#binRe = new Float64Array(this.#m * 8);
    this.#binIm = new Float64Array(this.#m * 8);
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
    const g = this.#g;
    let i = start;
    while (i < end) {
      const base = (this.#blocks % this.#m) * g;
      const n = Math.min(end - i, g - this.#fill);
      let e = this.#partial;
      let p = base + this.#fill;
      for (const stop = i + n; i < stop; i++) {
        const v = samples[i] as number;
        buf[p++] = v;
        e += v * v;
      }
      this.#fill += n;
      this.#index += n;
      this.#partial = e;
      if (this.#fill === g) this.#completeBlock();
    }
  }

  /** Ends any confirmed digit (call end). */
  flush(): void {
    this.#frame(-1, this.#index);
  }

  #completeBlock(): void {
    const slot = this.#blocks % this.#m;
    this.#energy[slot] = this.#partial;
    this.#ready[slot * 2] = 0;
    this.#ready[slot * 2 + 1] = 0;
    this.#fill = 0;
    this.#partial = 0;
    this.#blocks++;
    const after = this.#blocks - this.#m;
    if (after >= 0 && after % this.#perHop === 0) this.#frame(this.#analyse(), this.#index - this.#win);
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

  /** Returns the key index (row·4 + column) the window of the last `m` sub-blocks holds, or -1. */
  #analyse(): number {
    const m = this.#m;
    // Integer samples: the sum of squares is exact in any order, so the gate is the same as one pass.
    let e = 0;
    for (let j = 0; j < m; j++) e += this.#energy[j] as number;
    if (e < this.#minEnergy) return -1;
    this.#powers(1, this.#colP);
    const c = argmax(this.#colP);
    const cp = this.#colP[c] as number;
    if (cp < this.#minColShare * this.#win * e) return -1;
    this.#powers(0, this.#rowP);
    const r = argmax(this.#rowP);
    const rp = this.#rowP[r] as number;
    const share = (2 * (rp + cp)) / (this.#win * e);
    if (share < this.#minShare) return -1;
    if (rp > cp * this.#maxTwist || cp > rp * this.#maxTwist) return -1;
    if (!dominates(this.#rowP, r, this.#dominance) || !dominates(this.#colP, c, this.#dominance)) return -1;
    return r * 4 + c;
  }

  /** The window's power at the four frequencies of `group` (0 rows, 1 columns), into `out`. */
  #powers(group: number, out: Float64Array): void {
    const m = this.#m;
    const first = this.#blocks - m;
    for (let slot = 0; slot < m; slot++) if (this.#ready[slot * 2 + group] === 0) this.#bins(slot, group);
    for (let q = 0; q < 4; q++) {
      const k = group * 4 + q;
      // Horner over the sub-blocks, newest first: Σ_j X_j·e^{-iωgj}, j = position in the window.
      const tr = this.#turnRe[k] as number;
      const ti = this.#turnIm[k] as number;
      let re = 0;
      let im = 0;
      for (let j = m - 1; j >= 0; j--) {
        const at = ((first + j) % m) * 8 + k;
        const r = re * tr - im * ti + (this.#binRe[at] as number);
        im = re * ti + im * tr + (this.#binIm[at] as number);
        re = r;
      }
      out[q] = re * re + im * im;
    }
  }

  /**
   * The four bins of `group` for the sub-block in `slot`, relative to its first sample. Goertzel leaves
   * y = s1 − e^{-iω}·s2 = e^{iω(g−1)}·X; the common factor e^{iω(g−1)} does not change a window's power,
   * so y is kept as is. Four recurrences in one pass stay in registers, and each adds (x − s2) apart from
   * the product so the chain from one sample to the next is a multiply and one add.
   */
  #bins(slot: number, group: number): void {
    const buf = this.#buf;
    const from = slot * this.#g;
    const to = from + this.#g;
    const k = group * 4;
    const c0 = this.#coeff[k] as number;
    const c1 = this.#coeff[k + 1] as number;
    const c2 = this.#coeff[k + 2] as number;
    const c3 = this.#coeff[k + 3] as number;
    let a0 = 0;
    let b0 = 0;
    let a1 = 0;
    let b1 = 0;
    let a2 = 0;
    let b2 = 0;
    let a3 = 0;
    let b3 = 0;
    for (let i = from; i < to; i++) {
      const x = buf[i] as number;
      const t0 = c0 * a0 + (x - b0);
      const t1 = c1 * a1 + (x - b1);
      const t2 = c2 * a2 + (x - b2);
      const t3 = c3 * a3 + (x - b3);
      b0 = a0;
      a0 = t0;
      b1 = a1;
      a1 = t1;
      b2 = a2;
      a2 = t2;
      b3 = a3;
      a3 = t3;
    }
    this.#store(slot, k, a0, b0);
    this.#store(slot, k + 1, a1, b1);
    this.#store(slot, k + 2, a2, b2);
    this.#store(slot, k + 3, a3, b3);
    this.#ready[slot * 2 + group] = 1;
  }

  #store(slot: number, k: number, s1: number, s2: number): void {
    this.#binRe[slot * 8 + k] = s1 - (this.#cos[k] as number) * s2;
    this.#binIm[slot * 8 + k] = (this.#sin[k] as number) * s2;
  }
}

function gcd(a: number, b: number): number {
  while (b > 0) [a, b] = [b, a % b];
  return a;
}

function argmax(p: Float64Array): number {
  let arg = 0;
  for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[arg] as number)) arg = k;
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
