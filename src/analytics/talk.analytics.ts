/**
 * Per-recording talk analytics from the two channels (0 agent, 1 customer), pure. R-PCI-1: paused spans
 * are excluded before anything is read — no level, no decision, no silence is computed there; they only
 * appear as counted gaps taken from the recording's metadata.
 */
import { FRAME_MS, FRAME_SAMPLES, frameDecisions, speechSpans, type Span, type VadOptions } from './vad.ts';

export interface PartyFigures {
  readonly talkMs: number;
  /** Talk spurts after smoothing. */
  readonly turns: number;
  /** Times this party started talking over the other for at least `interruptMinMs`. */
  readonly interruptions: number;
  /** Syllable-nucleus peaks per second of talk (speech-rate proxy). */
  readonly syllablesPerSecond: number;
}

export interface TalkAnalytics {
  readonly version: 1;
  /** Audio analysed: duration minus paused spans. */
  readonly analysedMs: number;
  readonly agent: PartyFigures;
  readonly customer: PartyFigures;
  /** Neither party talks (within analysed audio). */
  readonly silenceMs: number;
  readonly longestSilenceMs: number;
  readonly overtalkCount: number;
  readonly overtalkMs: number;
  /** agent talk / (agent + customer talk); null when nobody talked. */
  readonly talkRatio: number | null;
  /** Mutual silences of at least `holdMinMs` (on hold, searching a file). */
  readonly holdGaps: { readonly count: number; readonly totalMs: number };
  /** R-PCI-1 pauses (from metadata; never analysed). */
  readonly paused: { readonly count: number; readonly totalMs: number };
}

export interface AnalyticsOptions extends VadOptions {
  /** Overlap shorter than this is a backchannel ("hm"), not overtalk (default 100 ms). */
  readonly overtalkMinMs?: number;
  /** An interruption is a start over the other party lasting at least this (default 300 ms). */
  readonly interruptMinMs?: number;
  /** Default 10 s. */
  readonly holdMinMs?: number;
}

export interface TimeSpan {
  readonly kind: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Frames inside `paused` segments (R-PCI-1). */
export function excludedFrames(frames: number, segments: readonly TimeSpan[]): Uint8Array {
  const ex = new Uint8Array(frames);
  for (const s of segments) {
    if (s.kind !== 'paused') continue;
    const a = Math.max(0, Math.floor(s.startMs / FRAME_MS));
    const b = Math.min(frames, Math.ceil(s.endMs / FRAME_MS));
    ex.fill(1, a, b);
  }
  return ex;
}

function mask(frames: number, spans: readonly Span[]): Uint8Array {
  const m = new Uint8Array(frames);
  for (const s of spans) m.fill(1, s.startMs / FRAME_MS, Math.min(frames, s.endMs / FRAME_MS));
  return m;
}

/** Runs of 1 in `m` as [start, end) frame pairs. */
function runs(m: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let s = -1;
  for (let i = 0; i <= m.length; i++) {
    const on = i < m.length && m[i] === 1;
    if (on && s < 0) s = i;
    if (!on && s >= 0) {
      out.push([s, i]);
      s = -1;
    }
  }
  return out;
}

/**
 * Syllable nuclei: peaks of the frame level (dB, smoothed over 3 frames) inside talk, each at least 4 dB
 * above the lowest point since the previous nucleus and 100 ms after it.
 */
function syllables(levels: Float32Array, talk: Uint8Array): number {
  let count = 0;
  let valley = Infinity;
  let lastPeak = -100;
  const db = (i: number): number => 10 * Math.log10((levels[i] ?? 0) + 1);
  for (let i = 1; i < levels.length - 1; i++) {
    if (talk[i] !== 1) {
      valley = Infinity;
      continue;
    }
    const v = (db(i - 1) + db(i) + db(i + 1)) / 3;
    const prev = (db(i - 2 < 0 ? 0 : i - 2) + db(i - 1) + db(i)) / 3;
    const next = (db(i) + db(i + 1) + db(i + 2 >= levels.length ? i + 1 : i + 2)) / 3;
    valley = Math.min(valley, v);
    if (v >= prev && v > next && v - valley >= 4 && i - lastPeak >= 10) {
      count++;
      lastPeak = i;
      valley = v;
    }
  }
  return count;
}

function party(
  spans: readonly Span[],
  other: Uint8Array,
  levels: Float32Array,
  talk: Uint8Array,
  interruptFrames: number,
): PartyFigures {
  const talkMs = spans.reduce((s, x) => s + x.endMs - x.startMs, 0);
  let interruptions = 0;
  for (const s of spans) {
    const a = s.startMs / FRAME_MS;
    if (other[a] !== 1 || (a > 0 && other[a - 1] !== 1)) continue; // the other must already be talking
    let overlap = 0;
    for (let f = a; f < s.endMs / FRAME_MS && other[f] === 1; f++) overlap++;
    if (overlap >= interruptFrames) interruptions++;
  }
  const syl = syllables(levels, talk);
  return {
    talkMs,
    turns: spans.length,
    interruptions,
    syllablesPerSecond: talkMs === 0 ? 0 : Math.round((syl / (talkMs / 1000)) * 100) / 100,
  };
}

/** Analyses interleaved stereo PCM16 at 8 kHz (channel 0 agent, 1 customer) on the call timeline. */
export function analyseTalk(
  pcm: Int16Array,
  segments: readonly TimeSpan[],
  o: AnalyticsOptions = {},
): TalkAnalytics {
  const frames = Math.floor(pcm.length / 2 / FRAME_SAMPLES);
  const ex = excludedFrames(frames, segments);
  const levels = [new Float32Array(frames), new Float32Array(frames)] as const;
  const spans = [0, 1].map((c) => speechSpans(frameDecisions(pcm, 2, c, ex, o, levels[c]), o, ex)) as [
    Span[],
    Span[],
  ];
  const talk = [mask(frames, spans[0]), mask(frames, spans[1])] as const;
  const both = new Uint8Array(frames);
  const none = new Uint8Array(frames);
  let analysed = 0;
  for (let f = 0; f < frames; f++) {
    if (ex[f] === 1) continue;
    analysed++;
    if (talk[0][f] === 1 && talk[1][f] === 1) both[f] = 1;
    else if (talk[0][f] === 0 && talk[1][f] === 0) none[f] = 1;
  }
  const overtalk = runs(both).filter(([a, b]) => (b - a) * FRAME_MS >= (o.overtalkMinMs ?? 100));
  const silences = runs(none).map(([a, b]) => (b - a) * FRAME_MS);
  const holds = silences.filter((ms) => ms >= (o.holdMinMs ?? 10_000));
  const pauses = segments.filter((s) => s.kind === 'paused');
  const interruptFrames = (o.interruptMinMs ?? 300) / FRAME_MS;
  const agent = party(spans[0], talk[1], levels[0], talk[0], interruptFrames);
  const customer = party(spans[1], talk[0], levels[1], talk[1], interruptFrames);
  const sum = agent.talkMs + customer.talkMs;
  return {
    version: 1,
    analysedMs: analysed * FRAME_MS,
    agent,
    customer,
    silenceMs: silences.reduce((s, x) => s + x, 0),
    longestSilenceMs: Math.max(0, ...silences),
    overtalkCount: overtalk.length,
    overtalkMs: overtalk.reduce((s, [a, b]) => s + (b - a) * FRAME_MS, 0),
    talkRatio: sum === 0 ? null : Math.round((agent.talkMs / sum) * 1000) / 1000,
    holdGaps: { count: holds.length, totalMs: holds.reduce((s, x) => s + x, 0) },
    paused: { count: pauses.length, totalMs: pauses.reduce((s, p) => s + p.endMs - p.startMs, 0) },
  };
}

/** The speech spans of each channel (for golden tests and the console's timeline). */
export function channelSpans(
  pcm: Int16Array,
  segments: readonly TimeSpan[],
  o: VadOptions = {},
): [Span[], Span[]] {
  const frames = Math.floor(pcm.length / 2 / FRAME_SAMPLES);
  const ex = excludedFrames(frames, segments);
  return [0, 1].map((c) => speechSpans(frameDecisions(pcm, 2, c, ex, o), o, ex)) as [Span[], Span[]];
}
