import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import { DAY_MS } from '../clock.ts';
import { fail } from '../errors.ts';
import { AuditErrors } from './errors.ts';
import {
  CHECKPOINT_ACTION,
  ChainVerifier,
  GENESIS_HASH,
  canonicalJson,
  checkpointFields,
  link,
  type ChainEntry,
  type ChainFields,
  type VerifyResult,
} from './chain.ts';

/** One sensitive action (R-SEC-2): who, in which role, did what to which object, for which purpose. */
export interface AccessEvent {
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly objectType: string;
  readonly objectId?: string | null;
  readonly purpose?: string | null;
  readonly result: 'allowed' | 'denied';
  readonly sourceAddress?: string | null;
  /** Small, non-personal facts (error code, rule id, byte range); never names or numbers. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface AccessLogDeps {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly clock: Clock;
  /** HMAC key for checkpoints, at least 32 bytes, kept outside the database. */
  readonly checkpointKey: Uint8Array;
  /** A signed checkpoint every N entries (default 100). */
  readonly checkpointEvery?: number;
  /** config.audit.retentionDays (183–1095). */
  readonly retentionDays: number;
}

/** An advisory lock id shared by every node, so that concurrent appends keep one chain on PostgreSQL. */
const PG_CHAIN_LOCK = 0x45434f55;
const PAGE = 1000;

type Tx = Kysely<Database>;

function toEntry(r: Record<string, unknown>): ChainEntry {
  return {
    seq: Number(r.seq),
    at: Number(r.at),
    actor: String(r.actor),
    role: String(r.role),
    action: String(r.action),
    objectType: String(r.objectType),
    objectId: (r.objectId as string | null) ?? null,
    purpose: (r.purpose as string | null) ?? null,
    result: String(r.result),
    sourceAddress: (r.sourceAddress as string | null) ?? null,
    detail: String(r.detail),
    prevHash: String(r.prevHash),
    hash: String(r.hash),
  };
}

/**
 * The append-only, hash-chained access log (R-SEC-2). Appends are serialised: one at a time in this
 * process, and on PostgreSQL inside a transaction holding an advisory lock so that every node extends the
 * same chain. The log is never read to rate agents (R-SEC-3): it offers no per-agent aggregate.
 */
export class AccessLog {
  readonly #d: AccessLogDeps;
  readonly #every: number;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(deps: AccessLogDeps) {
    if (deps.checkpointKey.length < 32) throw fail(AuditErrors.KEY_MISSING);
    this.#d = deps;
    this.#every = deps.checkpointEvery ?? 100;
  }

  /** Appends one entry and returns it with its seq and hash. */
  append(event: AccessEvent): Promise<ChainEntry> {
    const run = this.#tail.then(() => this.#appendTx(event));
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #appendTx(event: AccessEvent): Promise<ChainEntry> {
    return this.#d.db.transaction().execute(async (tx) => {
      if (this.#d.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(${PG_CHAIN_LOCK})`.execute(tx);
      const last = await this.#last(tx);
      let prevHash = last?.hash ?? GENESIS_HASH;
      let seq = (last?.seq ?? 0) + 1;
      const at = this.#d.clock.now();
      if (seq % this.#every === 0) {
        const cp = link(prevHash, checkpointFields(this.#d.checkpointKey, seq, prevHash, at, seq - 1));
        await this.#insert(tx, cp);
        prevHash = cp.hash;
        seq++;
      }
      const fields: ChainFields = {
        seq,
        at,
        actor: event.actor,
        role: event.role,
        action: event.action,
        objectType: event.objectType,
        objectId: event.objectId ?? null,
        purpose: event.purpose ?? null,
        result: event.result,
        sourceAddress: event.sourceAddress ?? null,
        detail: canonicalJson(event.detail ?? {}),
      };
      const entry = link(prevHash, fields);
      await this.#insert(tx, entry);
      return entry;
    });
  }

  async #last(tx: Tx): Promise<ChainEntry | undefined> {
    const row = await tx
      .selectFrom('accessLog')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  async #insert(tx: Tx, e: ChainEntry): Promise<void> {
    await tx
      .insertInto('accessLog')
      .values({ ...e })
      .execute();
  }

  /** Walks the whole chain page by page; the first broken link is reported with its seq. */
  async verify(): Promise<VerifyResult> {
    const v = new ChainVerifier(this.#d.checkpointKey);
    let after = 0;
    for (;;) {
      const rows = await this.#d.db
        .selectFrom('accessLog')
        .selectAll()
        .where('seq', '>', after)
        .orderBy('seq', 'asc')
        .limit(PAGE)
        .execute();
      for (const r of rows) if (!v.push(toEntry(r))) return v.result();
      if (rows.length < PAGE) return v.result();
      after = Number(rows[rows.length - 1]?.seq);
    }
  }

  /** Entries in seq order, newest last, for the DPO and auditors; filters are exact, never aggregates. */
  async list(q: ListQuery): Promise<ChainEntry[]> {
    let query = this.#d.db.selectFrom('accessLog').selectAll();
    if (q.from !== undefined) query = query.where('at', '>=', q.from);
    if (q.to !== undefined) query = query.where('at', '<', q.to);
    if (q.action) query = query.where('action', '=', q.action);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.objectId) query = query.where('objectId', '=', q.objectId);
    if (q.afterSeq !== undefined) query = query.where('seq', '>', q.afterSeq);
    const rows = await query.orderBy('seq', 'asc').limit(q.limit).execute();
    return rows.map((r) => toEntry(r as unknown as Record<string, unknown>));
  }

  /**
   * Retention (R-SEC-2, config.audit.retentionDays): deletes entries older than the cut-off up to the
   * newest checkpoint older than the cut-off, so the first kept entry is a signed checkpoint and the
   * chain stays verifiable. Returns how many entries were removed; the purge itself is logged.
   */
  async purgeExpired(): Promise<number> {
    const cutoff = this.#d.clock.now() - this.#d.retentionDays * DAY_MS;
    const removed = await this.#serial(() =>
      this.#d.db.transaction().execute(async (tx) => {
        if (this.#d.dialect === 'postgres')
          await sql`select pg_advisory_xact_lock(${PG_CHAIN_LOCK})`.execute(tx);
        const anchor = await tx
          .selectFrom('accessLog')
          .select('seq')
          .where('action', '=', CHECKPOINT_ACTION)
          .where('at', '<=', cutoff)
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (!anchor) return 0;
        const res = await tx.deleteFrom('accessLog').where('seq', '<', Number(anchor.seq)).executeTakeFirst();
        return Number(res.numDeletedRows);
      }),
    );
    if (removed > 0) {
      await this.append({
        actor: 'system',
        role: 'system',
        action: 'audit_purge',
        objectType: 'access_log',
        result: 'allowed',
        detail: { removed, retentionDays: this.#d.retentionDays },
      });
    }
    return removed;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

export interface ListQuery {
  readonly from?: number;
  readonly to?: number;
  readonly action?: string;
  readonly actor?: string;
  readonly objectId?: string;
  readonly afterSeq?: number;
  readonly limit: number;
}
