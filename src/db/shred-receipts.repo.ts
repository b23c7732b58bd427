/** R-RET-4: every deletion leaves a receipt (id, time, rule, scope) and no content. */
import { fromJson, newId, toJson } from './codec.ts';
import type { RepoContext } from './types.ts';

export const SHRED_KINDS = ['recording', 'audio', 'analysis_document', 'spool', 'call'] as const;
export type ShredKind = (typeof SHRED_KINDS)[number];

export interface ShredReceipt {
  readonly id: string;
  /** Id of what was destroyed (recording id, document id…), never its content. */
  readonly objectId: string;
  readonly kind: ShredKind;
  readonly at: number;
  /** The rule that required it, e.g. `R-RET-1`, `R-CAL-2`, `R-DSR-4`. */
  readonly rule: string;
  /** What was destroyed: e.g. `{ key: true, blob: true, transcripts: true }`. No personal data. */
  readonly scope: Readonly<Record<string, unknown>>;
}

export type NewShredReceipt = Omit<ShredReceipt, 'id' | 'at'> & { readonly at?: number };

export function shredReceiptsRepo({ k, clock }: RepoContext) {
  return {
    async add(r: NewShredReceipt): Promise<ShredReceipt> {
      const [receipt] = await this.addMany([r]);
      return receipt as ShredReceipt;
    },

    /** One multi-row INSERT for a batch (the retention purge writes one receipt per recording). */
    async addMany(rs: readonly NewShredReceipt[]): Promise<ShredReceipt[]> {
      if (rs.length === 0) return [];
      const now = clock.now();
      const receipts: ShredReceipt[] = rs.map((r) => ({ ...r, id: newId(), at: r.at ?? now }));
      await k
        .insertInto('shredReceipts')
        .values(receipts.map((r) => ({ ...r, scope: toJson(r.scope) })))
        .execute();
      return receipts;
    },

    async forObject(objectId: string): Promise<ShredReceipt[]> {
      const rows = await k
        .selectFrom('shredReceipts')
        .selectAll()
        .where('objectId', '=', objectId)
        .orderBy('at')
        .execute();
      return rows.map((r) => ({
        ...r,
        kind: r.kind as ShredKind,
        at: Number(r.at),
        scope: fromJson<Record<string, unknown>>(r.scope, {}),
      }));
    },

    async list(range: { from?: number; to?: number } = {}, limit = 500): Promise<ShredReceipt[]> {
      let q = k.selectFrom('shredReceipts').selectAll().orderBy('at').orderBy('id').limit(limit);
      if (range.from !== undefined) q = q.where('at', '>=', range.from);
      if (range.to !== undefined) q = q.where('at', '<', range.to);
      const rows = await q.execute();
      return rows.map((r) => ({
        ...r,
        kind: r.kind as ShredKind,
        at: Number(r.at),
        scope: fromJson<Record<string, unknown>>(r.scope, {}),
      }));
    },
  };
}

export type ShredReceiptsRepo = ReturnType<typeof shredReceiptsRepo>;
