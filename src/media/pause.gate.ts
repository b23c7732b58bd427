/**
 * R-PCI-1: the pause gate. Spans of the call timeline (absolute sample indexes) during which recording is
 * paused. The pipeline drops paused samples when they arrive and zeroes any paused range of a block before
 * fan-out, so paused audio reaches no sink: not the writer, not live listeners, not analytics.
 */
export interface PauseSpan {
  readonly start: number;
  /** Exclusive end; Infinity while the pause lasts. */
  end: number;
}

export class PauseGate {
  readonly #spans: PauseSpan[] = [];

  get paused(): boolean {
    const last = this.#spans[this.#spans.length - 1];
    return last !== undefined && last.end === Infinity;
  }

  /** Pauses from sample `at` on; idempotent while paused. */
  pause(at: number): void {
    if (!this.paused) this.#spans.push({ start: at, end: Infinity });
  }

  /** Resumes at sample `at`; idempotent while recording. */
  resume(at: number): void {
    const last = this.#spans[this.#spans.length - 1];
    if (last && last.end === Infinity) last.end = Math.max(at, last.start);
  }

  /** Whether sample `index` is paused. */
  isPaused(index: number): boolean {
    for (const s of this.#spans) if (index >= s.start && index < s.end) return true;
    return false;
  }

  /** True when no pause span is held: the per-packet path then skips every range check. */
  get empty(): boolean {
    return this.#spans.length === 0;
  }

  /** The first sample at or after `from` that is not paused, capped at `to` (skips a paused run). */
  nextOpen(from: number, to: number): number {
    let at = from;
    for (const s of this.#spans) if (at >= s.start && at < s.end) at = Math.min(to, s.end);
    return at;
  }

  /** The first paused sample in [from, to), or `to` when none is. */
  nextPaused(from: number, to: number): number {
    let first = to;
    for (const s of this.#spans) {
      if (s.end <= s.start) continue;
      if (from >= s.start && from < s.end) return from;
      if (s.start > from && s.start < first) first = s.start;
    }
    return first;
  }

  /** Calls `fn(start, end)` for each paused range intersecting [from, to). */
  forEachIn(from: number, to: number, fn: (start: number, end: number) => void): void {
    for (const s of this.#spans) {
      const a = Math.max(from, s.start);
      const b = Math.min(to, s.end);
      if (a < b) fn(a, b);
    }
  }

  /** Forgets spans that ended before `index` (the output has moved past them). */
  prune(index: number): void {
    while (this.#spans.length > 0 && (this.#spans[0] as PauseSpan).end <= index) this.#spans.shift();
  }
}
