/**
 * 0002: the last TOTP step each user spent (RFC 6238 §5.2: a code is accepted once). Kept in the store,
 * not in a process's memory, so a code observed on one API node cannot be replayed on another or after a
 * restart (R-SEC-1). A step (30 s since the epoch) fits a 32-bit integer until the year 4000.
 */
import type { Kysely, Migration } from 'kysely';
import type { DialectName } from '../types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema as it was, untyped */
export function totpLastStepMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').addColumn('totp_last_step', 'integer').execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
    },
  };
}
