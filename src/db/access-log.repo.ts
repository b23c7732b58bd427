/**
 * Storage of the access log (R-SEC-2). Append-only at this level: the repository offers insert and reads,
 * and no update or delete (a test checks it). The hash chain itself is computed by src/audit.
 */
import type { Selectable } from 'kysely';
import type { ChainEntry } from '../audit/chain.ts';
import { fail } from '../errors.ts';
import { DbErrors } from './errors.ts';
import type { AccessLogTable } from './schema.ts';
import type { RepoContext } from './types.ts';

/** A stored row is exactly a chained entry: its shape is declared once, by the chain (src/audit/chain.ts). */
export type AccessLogRow = ChainEntry;

function toRow(r: Selectable<AccessLogTable>): AccessLogRow {
  return { ...r, seq: Number(r.seq), at: Number(r.at) };
}

export function accessLogRepo({ k }: RepoContext) {
  return Object.freeze({
    /** Inserts one chained entry; an existing `seq` is a conflict (the chain cannot fork). */
    async insert(row: AccessLogRow): Promise<void> {
      try {
        await k.insertInto('accessLog').values(row).execute();
      } catch (e) {
        const err = e as { code?: string; message?: string };
        if (err.code === '23505' || /UNIQUE|PRIMARY/i.test(err.message ?? ''))
          throw fail(DbErrors.CONFLICT, `access log entry ${row.seq} already exists`, { seq: row.seq }, e);
        throw e;
      }
    },

    async last(): Promise<AccessLogRow | undefined> {
      const r = await k
        .selectFrom('accessLog')
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r && toRow(r);
    },

    /** Entries with fromSeq <= seq < toSeq (toSeq open-ended when omitted), in order, at most `limit`. */
    async range(fromSeq: number, toSeq?: number, limit = 1000): Promise<AccessLogRow[]> {
      let q = k.selectFrom('accessLog').selectAll().where('seq', '>=', fromSeq).orderBy('seq').limit(limit);
      if (toSeq !== undefined) q = q.where('seq', '<', toSeq);
      return (await q.execute()).map(toRow);
    },

    /** R-EMP-7 / R-DSR-1: entries about one object (who listened to a recording, and when). */
    async forObject(objectType: string, objectId: string, limit = 1000): Promise<AccessLogRow[]> {
      const rows = await k
        .selectFrom('accessLog')
        .selectAll()
        .where('objectType', '=', objectType)
        .where('objectId', '=', objectId)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map(toRow);
    },
  });
}

export type AccessLogRepo = ReturnType<typeof accessLogRepo>;
