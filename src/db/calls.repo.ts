/**
 * Calls that are (or were) recorded. R-MIN-4: an unrecorded call leaves no row here, only counters; the
 * customer number is stored encrypted (keyed-hash.ts `encryptNumber`) beside its keyed hash.
 */
import type { Selectable } from 'kysely';
import { fromJson, num, nul, opt, toJson } from './codec.ts';
import type { CallsTable } from './schema.ts';
import type { RepoContext } from './types.ts';

export interface CallRow {
  readonly id: string;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly direction: string;
  readonly queue: string | undefined;
  readonly agentId: string | undefined;
  readonly team: string | undefined;
  /** `siprec`, `twilio`, `audiohook`, `import`. */
  readonly protocol: string;
  /** Protocol identifiers (SIP Call-ID, stream SID…). */
  readonly protocolIds: Readonly<Record<string, string>>;
  /** Opaque ciphertext from `encryptNumber`; never the clear number. */
  readonly customerNumberEnc: string | undefined;
  readonly customerHash: string | undefined;
  readonly noticeVersion: number | undefined;
  readonly noticeEndedAt: number | undefined;
  /** The policy decision, stored only when the call is recorded (R-PUR-4 audit and replay). */
  readonly decision: unknown;
}

export type NewCall = Omit<CallRow, 'endedAt' | 'decision'> & { readonly decision?: unknown };

function toCall(r: Selectable<CallsTable>): CallRow {
  return {
    id: r.id,
    startedAt: Number(r.startedAt),
    endedAt: num(r.endedAt),
    direction: r.direction,
    queue: opt(r.queue),
    agentId: opt(r.agentId),
    team: opt(r.team),
    protocol: r.protocol,
    protocolIds: fromJson<Record<string, string>>(r.protocolIds, {}),
    customerNumberEnc: opt(r.customerNumberEnc),
    customerHash: opt(r.customerHash),
    noticeVersion: num(r.noticeVersion),
    noticeEndedAt: num(r.noticeEndedAt),
    decision: fromJson<unknown>(r.decision, undefined),
  };
}

export function callsRepo({ k }: RepoContext) {
  return {
    async insert(c: NewCall): Promise<CallRow> {
      await k
        .insertInto('calls')
        .values({
          id: c.id,
          startedAt: c.startedAt,
          endedAt: null,
          direction: c.direction,
          queue: nul(c.queue),
          agentId: nul(c.agentId),
          team: nul(c.team),
          protocol: c.protocol,
          protocolIds: toJson(c.protocolIds),
          customerNumberEnc: nul(c.customerNumberEnc),
          customerHash: nul(c.customerHash),
          noticeVersion: nul(c.noticeVersion),
          noticeEndedAt: nul(c.noticeEndedAt),
          decision: c.decision === undefined ? null : toJson(c.decision),
        })
        .execute();
      return (await this.get(c.id)) as CallRow;
    },

    async get(id: string): Promise<CallRow | undefined> {
      const r = await k.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toCall(r);
    },

    async setDecision(id: string, decision: unknown): Promise<void> {
      await k
        .updateTable('calls')
        .set({ decision: toJson(decision) })
        .where('id', '=', id)
        .execute();
    },

    async end(id: string, endedAt: number): Promise<void> {
      await k.updateTable('calls').set({ endedAt }).where('id', '=', id).execute();
    },

    /** R-DSR-1: calls of one customer, by keyed hash. */
    async byCustomerHash(customerHash: string, limit = 500): Promise<CallRow[]> {
      const rows = await k
        .selectFrom('calls')
        .selectAll()
        .where('customerHash', '=', customerHash)
        .orderBy('startedAt', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toCall);
    },

    /** R-MIN-4 / R-CAL-2: a call that ends up unrecorded (or objected) leaves nothing personal behind. */
    async delete(id: string): Promise<boolean> {
      const res = await k.deleteFrom('calls').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    /** Erases the personal data of a call (number and its hash) and keeps its technical facts. */
    async forgetCustomer(id: string): Promise<void> {
      await this.forgetCustomers([id]);
    },

    /** `forgetCustomer` for a batch of calls, in one statement (the retention purge). */
    async forgetCustomers(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      await k
        .updateTable('calls')
        .set({ customerNumberEnc: null, customerHash: null })
        .where('id', 'in', [...ids])
        .execute();
    },
  };
}

export type CallsRepo = ReturnType<typeof callsRepo>;
