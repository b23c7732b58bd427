/**
 * The call timeline's segments. `recorded` and `paused` partition the call; `masked` (R-PCI-2) and
 * `lost` (no packet: loss, DTX, a silent side) are per-channel overlays. Times are ms from the call's
 * timeline origin (its first media).
 */
export type SegmentKind = 'recorded' | 'paused' | 'masked' | 'lost';

export interface Segment {
  readonly kind: SegmentKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Channel of a `masked` or `lost` segment; absent for call-level kinds. */
  readonly channel?: number;
}

interface Open {
  kind: SegmentKind;
  channel: number;
  start: number;
  end: number;
}

/** Merges adjacent sample ranges of the same kind and channel into segments. */
export class SegmentTracker {
  readonly #open = new Map<string, Open>();

  constructor(
    private readonly emit: (s: Segment) => void,
    private readonly sampleRate = 8000,
  ) {}

  /** Adds [start, end) in samples; channel -1 for call-level kinds. */
  add(kind: SegmentKind, channel: number, start: number, end: number): void {
    if (end <= start) return;
    const key = `${kind}:${channel}`;
    const o = this.#open.get(key);
    if (o && start <= o.end) {
      o.end = Math.max(o.end, end);
      return;
    }
    if (o) this.#flushOne(o);
    this.#open.set(key, { kind, channel, start, end });
  }

  /** Emits segments that ended before `index` and can no longer grow. */
  flushBefore(index: number): void {
    for (const [key, o] of this.#open) {
      if (o.end < index) {
        this.#flushOne(o);
        this.#open.delete(key);
      }
    }
  }

  flushAll(): void {
    const all = [...this.#open.values()].sort((a, b) => a.start - b.start);
    this.#open.clear();
    for (const o of all) this.#flushOne(o);
  }

  #flushOne(o: Open): void {
    const ms = (s: number): number => Math.round((s * 1000) / this.sampleRate);
    if (ms(o.end) === ms(o.start)) return; // sub-millisecond slivers (anchoring jitter) say nothing
    const seg: Segment =
      o.channel < 0
        ? { kind: o.kind, startMs: ms(o.start), endMs: ms(o.end) }
        : { kind: o.kind, startMs: ms(o.start), endMs: ms(o.end), channel: o.channel };
    this.emit(seg);
  }
}
