/**
 * The job scheduler: an in-process loop driven by a Clock (tests move a FakeClock and call `tick()`).
 * It is safe on several nodes sharing PostgreSQL because every job is claimed through `jobs.claimNext`
 * with a lease (SKIP LOCKED), and a periodic job is enqueued once per period under a deterministic id
 * (`<kind>@<periodStart>`), so two nodes enqueueing the same period collide on the primary key.
 * Reusable for any handler: retention, finalise, analytics, exports.
 */
import type { Clock } from '../clock.ts';
import type { JobsRepo, Job } from '../db/jobs.repo.ts';
import { fail, isEcouteError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { JobsErrors } from './errors.ts';

export interface JobContext {
  readonly job: Job;
  /** Extends the lease for a long job; false when the lease was lost (stop working). */
  renew(): Promise<boolean>;
}

export type JobHandler = (payload: unknown, ctx: JobContext) => Promise<void>;

export interface RegisterOptions {
  /** Enqueue this kind once per period of `everyMs` (e.g. retention hourly). */
  readonly everyMs?: number;
  /** Payload of the periodic job. */
  readonly payload?: unknown;
}

export interface SchedulerDeps {
  readonly jobs: Pick<JobsRepo, 'enqueue' | 'get' | 'claimNext' | 'renew' | 'complete' | 'fail'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** This node's identity in leases (hostname:pid in production). */
  readonly owner: string;
  /** Lease of a claimed job, ms (default 5 minutes): a dead node's job is retaken after it. */
  readonly leaseMs?: number;
  /** Attempts before a job fails for good (default 5). */
  readonly maxAttempts?: number;
  /** Back-off unit between attempts, ms (default 1 minute, times the attempt number). */
  readonly retryMs?: number;
  /** Most jobs one tick runs (default 100), so a backlog cannot hold the loop forever. */
  readonly maxPerTick?: number;
}

export interface TickReport {
  readonly enqueued: number;
  readonly ran: number;
  readonly failed: number;
}

interface Registration {
  readonly handler: JobHandler;
  readonly everyMs: number | undefined;
  readonly payload: unknown;
}

export class Scheduler {
  readonly #d: SchedulerDeps;
  readonly #kinds = new Map<string, Registration>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<TickReport> | undefined;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
  }

  register(kind: string, handler: JobHandler, opts: RegisterOptions = {}): this {
    this.#kinds.set(kind, { handler, everyMs: opts.everyMs, payload: opts.payload ?? {} });
    return this;
  }

  /** Enqueues a one-off job of a registered kind. */
  async enqueue(kind: string, payload: unknown, runAt?: number): Promise<Job> {
    if (!this.#kinds.has(kind))
      throw fail(JobsErrors.UNKNOWN_KIND, `no handler for job kind ${kind}`, { kind });
    return this.#d.jobs.enqueue(kind, payload, runAt === undefined ? {} : { runAt });
  }

  /** One pass: enqueue due periodic jobs, then run due jobs until none is left (or maxPerTick). */
  tick(): Promise<TickReport> {
    // One pass at a time in this process; other nodes are kept apart by the leases.
    this.#running ??= this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Real-time loop for the server; `tick()` is still callable. */
  start(intervalMs: number): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.tick().catch((e: unknown) => this.#d.log.error({ err: String(e) }, 'scheduler tick failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the loop and waits for the pass in progress; idempotent. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #pass(): Promise<TickReport> {
    const enqueued = await this.#enqueuePeriodic();
    let ran = 0;
    let failed = 0;
    const max = this.#d.maxPerTick ?? 100;
    const kinds = [...this.#kinds.keys()];
    while (ran + failed < max) {
      const job = await this.#d.jobs.claimNext(kinds, this.#d.owner, this.#leaseMs());
      if (!job) break;
      if (await this.#run(job)) ran++;
      else failed++;
    }
    return { enqueued, ran, failed };
  }

  #leaseMs(): number {
    return this.#d.leaseMs ?? 300_000;
  }

  async #enqueuePeriodic(): Promise<number> {
    let n = 0;
    const now = this.#d.clock.now();
    for (const [kind, reg] of this.#kinds) {
      if (reg.everyMs === undefined) continue;
      const periodStart = Math.floor(now / reg.everyMs) * reg.everyMs;
      const id = `${kind}@${periodStart}`;
      if (await this.#d.jobs.get(id)) continue;
      try {
        await this.#d.jobs.enqueue(kind, reg.payload, { id, runAt: periodStart });
        n++;
      } catch {
        // Another node enqueued the same period between our read and our insert: that is the point.
      }
    }
    return n;
  }

  async #run(job: Job): Promise<boolean> {
    const reg = this.#kinds.get(job.kind);
    const { owner } = this.#d;
    const ctx: JobContext = { job, renew: () => this.#d.jobs.renew(job.id, owner, this.#leaseMs()) };
    try {
      if (!reg)
        throw fail(JobsErrors.UNKNOWN_KIND, `no handler for job kind ${job.kind}`, { kind: job.kind });
      await reg.handler(job.payload, ctx);
      await this.#d.jobs.complete(job.id, owner);
      return true;
    } catch (e) {
      const code = isEcouteError(e) ? e.code : 'unexpected';
      const message = e instanceof Error ? e.message : String(e);
      const retry = job.attempts < (this.#d.maxAttempts ?? 5);
      const retryAt = retry ? this.#d.clock.now() + (this.#d.retryMs ?? 60_000) * job.attempts : undefined;
      await this.#d.jobs.fail(job.id, owner, `${code}: ${message}`, retryAt);
      this.#d.log.warn({ jobId: job.id, kind: job.kind, code, attempts: job.attempts, retry }, 'job failed');
      return false;
    }
  }
}
