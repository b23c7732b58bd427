/**
 * Voice-activity detection tuned on telephone audio (8 kHz, G.711), pure TS, per 10 ms frame (80
 * samples). A frame is speech when its energy stands clear of an adaptive noise floor and above an
 * absolute floor, and its zero-crossing rate is not that of hiss (broadband noise crosses zero in most
 * samples; voiced speech and tones far less). The floor follows quiet frames down at once and creeps up
 * slowly, so line noise that rises is absorbed while a talker never becomes "noise".
 *
 * Smoothing happens on segments, not frames, so boundaries stay at the frame where the energy changed
 * (error ≤ 10 ms on clean onsets): gaps shorter than `hangoverMs` are bridged (the hangover: stops and
 * short pauses between words belong to the talk spurt) and spurts shorter than `minSpeechMs` dropped.
 */

export const FRAME_MS = 10;
export const FRAME_SAMPLES = 80;

export interface VadOptions {
  /** dB above the noise floor for speech (default 10). */
  readonly marginDb?: number;
  /** Absolute floor in dBFS below which nothing is speech (default −50). */
  readonly minDbfs?: number;
  /** Zero crossings per sample above which a frame is hiss, not speech (default 0.55). */
  readonly maxZcr?: number;
  /** Gaps shorter than this are bridged (default 200 ms). */
  readonly hangoverMs?: number;
  /** Spurts shorter than this are dropped (default 60 ms). */
  readonly minSpeechMs?: number;
}

export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

const FULL_SCALE_MS = 32768 * 32768;
const dbOf = (meanSquare: number): number => 10 * Math.log10(meanSquare / FULL_SCALE_MS + 1e-12);

/** Streaming frame classifier: feed one frame's mean square and zero-crossing rate, get speech or not. */
export class FrameClassifier {
  readonly #margin: number;
  readonly #minDb: number;
  readonly #maxZcr: number;
  // Starts at a quiet telephone line's level, so a call that opens with speech is not taken for noise.
  #floorDb = -70;

  constructor(o: VadOptions = {}) {
    this.#margin = o.marginDb ?? 10;
    this.#minDb = o.minDbfs ?? -50;
    this.#maxZcr = o.maxZcr ?? 0.55;
  }

  classify(meanSquare: number, zcr: number): boolean {
    const db = dbOf(meanSquare);
    // Down at once, up by 0.02 dB per frame (2 dB/s): a 10 s talk spurt lifts the floor 20 dB at worst,
    // yet the floor never passes the frame's own level minus the margin while speech goes on.
    if (db < this.#floorDb) this.#floorDb = db;
    else this.#floorDb = Math.min(this.#floorDb + 0.02, db);
    return db > this.#minDb && db > this.#floorDb + this.#margin && zcr < this.#maxZcr;
  }
}

/**
 * Raw per-frame decisions for one channel of interleaved PCM16 (`channels` 1 or 2). Frames flagged in
 * `excluded` (paused spans, R-PCI-1) are never read: their decision is 0 and the classifier skips them.
 */
export function frameDecisions(
  pcm: Int16Array,
  channels: number,
  channel: number,
  excluded?: Uint8Array,
  o: VadOptions = {},
  levelsOut?: Float32Array,
): Uint8Array {
  const frames = Math.floor(pcm.length / channels / FRAME_SAMPLES);
  const out = new Uint8Array(frames);
  const cls = new FrameClassifier(o);
  const step = channels;
  for (let f = 0; f < frames; f++) {
    if (excluded && excluded[f] === 1) continue;
    let e = 0;
    let zc = 0;
    let prev = 0;
    const base = f * FRAME_SAMPLES * step + channel;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const v = pcm[base + i * step] as number;
      e += v * v;
      if ((v ^ prev) < 0) zc++;
      prev = v;
    }
    const ms = e / FRAME_SAMPLES;
    if (levelsOut) levelsOut[f] = ms;
    out[f] = cls.classify(ms, zc / FRAME_SAMPLES) ? 1 : 0;
  }
  return out;
}

/** Speech spans from frame decisions, with the hangover and minimum-length smoothing. */
export function speechSpans(decisions: Uint8Array, o: VadOptions = {}, excluded?: Uint8Array): Span[] {
  const hang = Math.round((o.hangoverMs ?? 200) / FRAME_MS);
  const minLen = Math.round((o.minSpeechMs ?? 60) / FRAME_MS);
  const raw: [number, number][] = [];
  let start = -1;
  for (let f = 0; f <= decisions.length; f++) {
    const on = f < decisions.length && decisions[f] === 1;
    if (on && start < 0) start = f;
    if (!on && start >= 0) {
      raw.push([start, f]);
      start = -1;
    }
  }
  const merged: [number, number][] = [];
  for (const s of raw) {
    const last = merged[merged.length - 1];
    // Never bridge across an excluded (paused) frame: the talk on both sides is separate.
    if (last && s[0] - last[1] < hang && !anyExcluded(excluded, last[1], s[0])) last[1] = s[1];
    else merged.push([s[0], s[1]]);
  }
  return merged
    .filter(([a, b]) => b - a >= minLen)
    .map(([a, b]) => ({ startMs: a * FRAME_MS, endMs: b * FRAME_MS }));
}

function anyExcluded(ex: Uint8Array | undefined, from: number, to: number): boolean {
  if (!ex) return false;
  for (let i = from; i < to; i++) if (ex[i] === 1) return true;
  return false;
}
