/**
 * The job queue on the metadata store. `claimNext` is one statement on both dialects: an UPDATE of the
 * row chosen by a materialised CTE, with `FOR UPDATE SKIP LOCKED` on PostgreSQL (concurrent claimers on any node
 * take different jobs) and the database-wide write lock on SQLite (one writer at a time).
 */
import { sql } from 'kysely';
import type { ExpressionBuilder, Selectable } from 'kysely';
import { fromJson, newId, num, opt, toJson } from './codec.ts';
import type { Database, JobsTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export const JOB_STATES = ['queued', 'running', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

export interface Job<P = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly payload: P;
  readonly state: JobState;
  readonly runAt: number;
  readonly attempts: number;
  readonly leaseOwner: string | undefined;
  readonly leaseUntil: number | undefined;
  readonly lastError: string | undefined;
  readonly createdAt: number;
  readonly finishedAt: number | undefined;
}

function toJob(r: Selectable<JobsTable>): Job {
  return {
    id: r.id,
    kind: r.kind,
    payload: fromJson<unknown>(r.payload, null),
    state: r.state as JobState,
    runAt: Number(r.runAt),
    attempts: Number(r.attempts),
    leaseOwner: opt(r.leaseOwner),
    leaseUntil: num(r.leaseUntil),
    lastError: opt(r.lastError),
    createdAt: Number(r.createdAt),
    finishedAt: num(r.finishedAt),
  };
}

const CLAIM_RETRIES = 8;

/** Due for `kinds` at `now`: queued and its time has come, or running with an expired lease. */
const due = (kinds: readonly string[], now: number) => (eb: ExpressionBuilder<Database, 'jobs'>) =>
  eb.and([
    eb('kind', 'in', [...kinds]),
    eb.or([
      eb.and([eb('state', '=', 'queued'), eb('runAt', '<=', now)]),
      eb.and([eb('state', '=', 'running'), eb('leaseUntil', '<', now)]),
    ]),
  ]);

export function jobsRepo({ k, dialect, clock }: RepoContext) {
  /** One UPDATE of the row a sub-select picks: atomic on SQLite, SKIP LOCKED on PostgreSQL. */
  const claimOnce = async (
    kinds: readonly string[],
    owner: string,
    leaseMs: number,
  ): Promise<Job | undefined> => {
    const now = clock.now();
    let pick = k
      .selectFrom('jobs')
      .select('id')
      .where(due(kinds, now))
      .orderBy('runAt')
      .orderBy('id')
      .limit(1);
    if (dialect === 'postgres') pick = pick.modifyEnd(sql`for update skip locked`);
    // A materialised CTE runs the pick exactly once: as a plain sub-select PostgreSQL may re-run it per
    // row and, with SKIP LOCKED, claim several jobs in one statement.
    const row = await k
      .with(
        (cte) => cte('next').materialized(),
        () => pick,
      )
      .updateTable('jobs')
      .set({
        state: 'running',
        leaseOwner: owner,
        leaseUntil: now + leaseMs,
        attempts: sql<number>`attempts + 1`,
      })
      .where('id', 'in', (eb) => eb.selectFrom('next').select('next.id'))
      .where(due(kinds, now))
      .returningAll()
      .executeTakeFirst();
    return row && toJob(row);
  };

  return {
    async enqueue(kind: string, payload: unknown, opts: { runAt?: number; id?: string } = {}): Promise<Job> {
      const now = clock.now();
      const row = {
        id: opts.id ?? newId(),
        kind,
        payload: toJson(payload),
        state: 'queued',
        runAt: opts.runAt ?? now,
        attempts: 0,
        leaseOwner: null,
        leaseUntil: null,
        lastError: null,
        createdAt: now,
        finishedAt: null,
      };
      await k.insertInto('jobs').values(row).execute();
      return toJob(row);
    },

    async get(id: string): Promise<Job | undefined> {
      const r = await k.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toJob(r);
    },

    /**
     * Leases the next due job of one of `kinds` to `owner` for `leaseMs`: a queued job whose time has
     * come, or a running one whose lease expired (its worker died). Exactly one claimer gets each job.
     */
    async claimNext(kinds: readonly string[], owner: string, leaseMs: number): Promise<Job | undefined> {
      if (kinds.length === 0) return undefined;
      for (let attempt = 0; ; attempt++) {
        const job = await claimOnce(kinds, owner, leaseMs);
        if (job || dialect !== 'postgres' || attempt >= CLAIM_RETRIES) return job;
        // PostgreSQL, READ COMMITTED: a row another claimer just took fails the re-check after locking and
        // LIMIT 1 then yields nothing even though other jobs are due. Retry while any is due.
        const now = clock.now();
        const any = await k
          .selectFrom('jobs')
          .select('id')
          .where(due(kinds, now))
          .limit(1)
          .executeTakeFirst();
        if (!any) return undefined;
      }
    },

    /** Extends a lease the owner still holds; false if it was lost (expired and taken by another). */
    async renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
      const res = await k
        .updateTable('jobs')
        .set({ leaseUntil: clock.now() + leaseMs })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('leaseOwner', '=', owner)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Marks a job done; false if `owner` no longer holds it. */
    async complete(id: string, owner: string): Promise<boolean> {
      const res = await k
        .updateTable('jobs')
        .set({ state: 'done', finishedAt: clock.now(), leaseUntil: null })
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('leaseOwner', '=', owner)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Records a failure: retried at `retryAt` if given, otherwise failed for good. */
    async fail(id: string, owner: string, error: string, retryAt?: number): Promise<boolean> {
      const now = clock.now();
      const res = await k
        .updateTable('jobs')
        .set(
          retryAt === undefined
            ? { state: 'failed', lastError: error, finishedAt: now, leaseUntil: null }
            : { state: 'queued', lastError: error, runAt: retryAt, leaseOwner: null, leaseUntil: null },
        )
        .where('id', '=', id)
        .where('state', '=', 'running')
        .where('leaseOwner', '=', owner)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async list(filter: { state?: JobState; kind?: string } = {}, limit = 100): Promise<Job[]> {
      let q = k.selectFrom('jobs').selectAll().orderBy('createdAt', 'desc').orderBy('id').limit(limit);
      if (filter.state) q = q.where('state', '=', filter.state);
      if (filter.kind) q = q.where('kind', '=', filter.kind);
      return (await q.execute()).map(toJob);
    },
  };
}

export type JobsRepo = ReturnType<typeof jobsRepo>;
