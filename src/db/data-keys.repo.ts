/**
 * The vault's KeyStore port (src/vault/vault.ports.ts) on the `data_keys` table (R-SEC-4). Deleting the
 * row is the crypto-shredding of the recording (R-RET-4): the wrapped key exists nowhere else.
 */
import { fail } from '../errors.ts';
import type { KeyStore, WrappedKey } from '../vault/vault.ports.ts';
import { DbErrors } from './errors.ts';
import type { RepoContext } from './types.ts';

const LIST_PAGE = 500;

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE/.test(err.message ?? '')
  );
}

export function dataKeysRepo({ k, clock }: RepoContext) {
  const repo = {
    /** Stores a new wrapped key; a second put for the same recording is a conflict, never a replacement. */
    async put(recordingId: string, wrapped: Uint8Array, masterKeyId: string): Promise<void> {
      try {
        await k
          .insertInto('dataKeys')
          .values({ recordingId, wrapped, masterKeyId, createdAt: clock.now(), rotatedAt: null })
          .execute();
      } catch (e) {
        if (isUniqueViolation(e))
          throw fail(DbErrors.CONFLICT, `a data key already exists for recording ${recordingId}`, {
            recordingId,
          });
        throw e;
      }
    },

    async get(recordingId: string): Promise<WrappedKey | undefined> {
      const r = await k
        .selectFrom('dataKeys')
        .select(['wrapped', 'masterKeyId'])
        .where('recordingId', '=', recordingId)
        .executeTakeFirst();
      return r && { wrapped: new Uint8Array(r.wrapped), masterKeyId: r.masterKeyId };
    },

    /** R-RET-4: destroys the key; true if there was one. */
    async destroy(recordingId: string): Promise<boolean> {
      const res = await k.deleteFrom('dataKeys').where('recordingId', '=', recordingId).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    },

    /**
     * R-RET-4: destroys the keys of a batch in one statement (`DELETE … WHERE recording_id IN (…)`); the
     * ids that had a key come back (RETURNING, on both dialects). Absent keys are not an error.
     */
    async destroyMany(recordingIds: readonly string[]): Promise<Set<string>> {
      if (recordingIds.length === 0) return new Set();
      const rows = await k
        .deleteFrom('dataKeys')
        .where('recordingId', 'in', [...recordingIds])
        .returning('recordingId')
        .execute();
      return new Set(rows.map((r) => r.recordingId));
    },

    /** Master-key rotation: same data key, new wrapping. */
    async replace(recordingId: string, wrapped: Uint8Array, masterKeyId: string): Promise<void> {
      const res = await k
        .updateTable('dataKeys')
        .set({ wrapped, masterKeyId, rotatedAt: clock.now() })
        .where('recordingId', '=', recordingId)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0)
        throw fail(DbErrors.NOT_FOUND, `no data key for recording ${recordingId}`, { recordingId });
    },

    /** Every recording id with a key, in pages so that rotation of a large store stays bounded in memory. */
    async *listIds(masterKeyId?: string): AsyncIterable<string> {
      let after = '';
      for (;;) {
        let q = k
          .selectFrom('dataKeys')
          .select('recordingId')
          .where('recordingId', '>', after)
          .orderBy('recordingId')
          .limit(LIST_PAGE);
        if (masterKeyId !== undefined) q = q.where('masterKeyId', '=', masterKeyId);
        const rows = await q.execute();
        for (const r of rows) yield r.recordingId;
        const last = rows[rows.length - 1];
        if (!last || rows.length < LIST_PAGE) return;
        after = last.recordingId;
      }
    },

    async count(masterKeyId?: string): Promise<number> {
      let q = k.selectFrom('dataKeys').select((eb) => eb.fn.countAll().as('n'));
      if (masterKeyId !== undefined) q = q.where('masterKeyId', '=', masterKeyId);
      const r = await q.executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
  // Compile-time proof that the repository satisfies the vault's port.
  const _port: KeyStore = repo;
  return repo;
}

export type DataKeysRepo = ReturnType<typeof dataKeysRepo>;
