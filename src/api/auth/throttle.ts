import type { Clock } from '../../clock.ts';

/**
 * Login throttling, per login and per source address, with exponential backoff: after `free` failures
 * each further failure doubles the wait (1 s, 2 s, 4 s … capped at 15 min). Kept in memory per node: an
 * attacker spreading guesses over nodes gains at most the node count, and a restart forgets at most
 * 15 minutes of backoff.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, { count: number; until: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly free = 3,
    private readonly maxWaitMs = 15 * 60_000,
  ) {}

  /** Milliseconds to wait before another attempt for this login or source; 0 when allowed. */
  waitMs(login: string, source: string): number {
    const now = this.clock.now();
    const until = Math.max(this.#get(`l:${login}`)?.until ?? 0, this.#get(`s:${source}`)?.until ?? 0);
    return Math.max(0, until - now);
  }

  failure(login: string, source: string): void {
    for (const key of [`l:${login}`, `s:${source}`]) {
      const count = (this.#failures.get(key)?.count ?? 0) + 1;
      const wait = count > this.free ? Math.min(this.maxWaitMs, 1000 * 2 ** (count - this.free - 1)) : 0;
      this.#failures.set(key, { count, until: this.clock.now() + wait });
    }
  }

  success(login: string): void {
    this.#failures.delete(`l:${login}`);
  }

  #get(key: string): { count: number; until: number } | undefined {
    return this.#failures.get(key);
  }
}
