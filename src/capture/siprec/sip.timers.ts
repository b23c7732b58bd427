/**
 * Timers as a port, so transaction timers (RFC 3261 §17, T1/T2/H) can run on a manual clock in tests
 * and on real timers in production.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface TimerPort {
  set(ms: number, fn: () => void): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}

export const realTimers: TimerPort = (() => {
  let next = 1;
  const live = new Map<number, NodeJS.Timeout>();
  return {
    set(ms, fn) {
      const id = next++;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      t.unref();
      live.set(id, t);
      return { id };
    },
    clear(h) {
      if (!h) return;
      clearTimeout(live.get(h.id));
      live.delete(h.id);
    },
  };
})();

/** Timers that fire only when `advance` is called; product code beside its port (STYLE.md §10). */
export class ManualTimers implements TimerPort {
  #now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; fn: () => void }>();

  set(ms: number, fn: () => void): TimerHandle {
    const id = this.#next++;
    this.#due.set(id, { at: this.#now + ms, fn });
    return { id };
  }

  clear(h: TimerHandle | undefined): void {
    if (h) this.#due.delete(h.id);
  }

  get pending(): number {
    return this.#due.size;
  }

  /** Moves time forward, firing due timers in order (timers they set fire too if due). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.#due) if (e[1].at <= until && (!first || e[1].at < first[1].at)) first = e;
      if (!first) break;
      this.#due.delete(first[0]);
      this.#now = first[1].at;
      first[1].fn();
    }
    this.#now = until;
  }
}
