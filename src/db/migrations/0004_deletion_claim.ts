/**
 * 0004: batch deletion (issue 10). `recordings.deletion_claimed_at` is set, in one conditional UPDATE, on
 * the recordings a deletion is about to shred (R-RET-3 and R-RET-6 re-checked there) and cleared when their
 * rows are marked; a legal hold cannot be attached while it is set, so a hold and a purge never both win.
 * `recordings_expiring` indexes only what may still expire, on (expires_at, id) for the purge's keyset
 * listing: it no longer walks every recording shredded in the past (the index's predicate is repeated
 * literally by the queries that use it, see NOT_GONE in recordings.repo.ts).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema as it was, untyped */
export function deletionClaimMigration(dialect: DialectName): Migration {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('recordings').addColumn('deletion_claimed_at', ms).execute();
      await sql`create index recordings_expiring on recordings (expires_at, id) where state not in ('shredded', 'objected')`.execute(
        db,
      );
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropIndex('recordings_expiring').execute();
      await db.schema.alterTable('recordings').dropColumn('deletion_claimed_at').execute();
    },
  };
}
