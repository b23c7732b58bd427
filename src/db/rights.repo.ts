/**
 * Legal holds (R-RET-6), data-subject requests (R-DSR-1..4) and the opposition list (R-CAL-4, keyed
 * hash of the number only).
 */
import type { Selectable } from 'kysely';
import { fail } from '../errors.ts';
import { fromJson, newId, num, opt, toJson } from './codec.ts';
import { DbErrors } from './errors.ts';
import type { DsrRequestsTable, LegalHoldsTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export interface LegalHold {
  readonly id: string;
  readonly reason: string;
  readonly owner: string;
  readonly reviewAt: number;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly releasedAt: number | undefined;
  readonly releasedBy: string | undefined;
}

export const DSR_KINDS = ['access', 'erasure', 'objection', 'rectification'] as const;
export type DsrKind = (typeof DSR_KINDS)[number];
export const DSR_STATES = ['open', 'extended', 'done', 'refused'] as const;
export type DsrState = (typeof DSR_STATES)[number];

/** Who the request is about: keyed hash of the number, customer id, agent id. */
export interface DsrSubject {
  readonly numberHash?: string;
  readonly customerId?: string;
  readonly agentId?: string;
}

export interface DsrRequest {
  readonly id: string;
  readonly kind: DsrKind;
  readonly subject: DsrSubject;
  readonly receivedAt: number;
  /** R-DSR-3: one month after receipt. */
  readonly dueAt: number;
  readonly extendedUntil: number | undefined;
  readonly extensionReason: string | undefined;
  readonly state: DsrState;
  readonly closedAt: number | undefined;
  /** Outcome or, for a refusal, its reasons. */
  readonly outcome: string | undefined;
}

const toHold = (r: Selectable<LegalHoldsTable>): LegalHold => ({
  ...r,
  reviewAt: Number(r.reviewAt),
  createdAt: Number(r.createdAt),
  releasedAt: num(r.releasedAt),
  releasedBy: opt(r.releasedBy),
});

const toDsr = (r: Selectable<DsrRequestsTable>): DsrRequest => ({
  id: r.id,
  kind: r.kind as DsrKind,
  subject: fromJson<DsrSubject>(r.subject, {}),
  receivedAt: Number(r.receivedAt),
  dueAt: Number(r.dueAt),
  extendedUntil: num(r.extendedUntil),
  extensionReason: opt(r.extensionReason),
  state: r.state as DsrState,
  closedAt: num(r.closedAt),
  outcome: opt(r.outcome),
});

export function legalHoldsRepo({ k, clock }: RepoContext) {
  return {
    async create(h: {
      reason: string;
      owner: string;
      reviewAt: number;
      createdBy: string;
    }): Promise<LegalHold> {
      const row = { ...h, id: newId(), createdAt: clock.now(), releasedAt: null, releasedBy: null };
      await k.insertInto('legalHolds').values(row).execute();
      return toHold(row);
    },
    async get(id: string): Promise<LegalHold | undefined> {
      const r = await k.selectFrom('legalHolds').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toHold(r);
    },
    /** R-RET-6: the DPO sees every hold; `active` only those not released. */
    async list(opts: { active?: boolean } = {}): Promise<LegalHold[]> {
      let q = k.selectFrom('legalHolds').selectAll().orderBy('reviewAt');
      if (opts.active) q = q.where('releasedAt', 'is', null);
      return (await q.execute()).map(toHold);
    },
    /** Releases a hold and detaches it from its recordings, in one transaction by the caller if needed. */
    async release(id: string, by: string): Promise<void> {
      const res = await k
        .updateTable('legalHolds')
        .set({ releasedAt: clock.now(), releasedBy: by })
        .where('id', '=', id)
        .where('releasedAt', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0)
        throw fail(DbErrors.NOT_FOUND, `no active legal hold ${id}`, { id });
      await k.updateTable('recordings').set({ legalHoldId: null }).where('legalHoldId', '=', id).execute();
    },
  };
}

export function dsrRepo({ k, clock }: RepoContext) {
  const get = async (id: string): Promise<DsrRequest | undefined> => {
    const r = await k.selectFrom('dsrRequests').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toDsr(r);
  };
  return {
    get,
    async create(d: {
      kind: DsrKind;
      subject: DsrSubject;
      receivedAt: number;
      dueAt: number;
    }): Promise<DsrRequest> {
      const id = newId();
      await k
        .insertInto('dsrRequests')
        .values({
          id,
          kind: d.kind,
          subject: toJson(d.subject),
          receivedAt: d.receivedAt,
          dueAt: d.dueAt,
          extendedUntil: null,
          extensionReason: null,
          state: 'open',
          closedAt: null,
          outcome: null,
        })
        .execute();
      return (await get(id)) as DsrRequest;
    },
    async extend(id: string, until: number, reason: string): Promise<void> {
      await k
        .updateTable('dsrRequests')
        .set({ extendedUntil: until, extensionReason: reason, state: 'extended' })
        .where('id', '=', id)
        .execute();
    },
    async close(id: string, state: 'done' | 'refused', outcome: string): Promise<void> {
      await k
        .updateTable('dsrRequests')
        .set({ state, outcome, closedAt: clock.now() })
        .where('id', '=', id)
        .execute();
    },
    async list(opts: { open?: boolean } = {}): Promise<DsrRequest[]> {
      let q = k.selectFrom('dsrRequests').selectAll().orderBy('dueAt');
      if (opts.open) q = q.where('state', 'in', ['open', 'extended']);
      return (await q.execute()).map(toDsr);
    },
    /** Requests past their deadline (extended deadline if any) and still open. */
    async overdue(now: number): Promise<DsrRequest[]> {
      const rows = await k
        .selectFrom('dsrRequests')
        .selectAll()
        .where('state', 'in', ['open', 'extended'])
        .where((eb) => eb(eb.fn.coalesce('extendedUntil', 'dueAt'), '<', now))
        .orderBy('dueAt')
        .execute();
      return rows.map(toDsr);
    },
  };
}

export function oppositionRepo({ k, clock }: RepoContext) {
  return {
    /** R-CAL-4: adds a keyed hash (idempotent). */
    async add(numberHash: string, source: string): Promise<void> {
      await k
        .insertInto('oppositionList')
        .values({ numberHash, addedAt: clock.now(), source })
        .onConflict((oc) => oc.column('numberHash').doNothing())
        .execute();
    },
    async has(numberHash: string): Promise<boolean> {
      const r = await k
        .selectFrom('oppositionList')
        .select('numberHash')
        .where('numberHash', '=', numberHash)
        .executeTakeFirst();
      return r !== undefined;
    },
    async remove(numberHash: string): Promise<boolean> {
      const res = await k
        .deleteFrom('oppositionList')
        .where('numberHash', '=', numberHash)
        .executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },
    async count(): Promise<number> {
      const r = await k
        .selectFrom('oppositionList')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type LegalHoldsRepo = ReturnType<typeof legalHoldsRepo>;
export type DsrRepo = ReturnType<typeof dsrRepo>;
export type OppositionRepo = ReturnType<typeof oppositionRepo>;
