/** Time as a port (STYLE.md §1): the pure core and every job take a Clock, tests move a FakeClock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; product code beside its port (STYLE.md §10). */
export class FakeClock implements Clock {
  #now: number;
  constructor(start: number | string | Date = '2026-11-02T09:00:00Z') {
    this.#now = typeof start === 'number' ? start : new Date(start).getTime();
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  advanceDays(days: number): void {
    this.#now += days * 86_400_000;
  }
  set(at: number | string | Date): void {
    this.#now = typeof at === 'number' ? at : new Date(at).getTime();
  }
}

export const DAY_MS = 86_400_000;
