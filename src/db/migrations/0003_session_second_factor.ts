/**
 * 0003: the second factor a session was opened with (R-SEC-1): 'totp' (Ecoute's own TOTP, at login or
 * verified later in the session), 'idp' (multi-factor authentication asserted by the SSO provider's
 * signed ID token, `amr`), or null (none). Access to audio depends on the session, not on the account:
 * an account with TOTP enrolled whose session never proved it hears nothing. Sessions opened before this
 * migration get null, so their users log in again (a session lives 8 hours at most).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations see the schema as it was, untyped */
export function sessionSecondFactorMigration(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable('sessions')
        .addColumn('second_factor', 'text', (c) => c.check(sql`second_factor in ('totp', 'idp')`))
        .execute();
    },
    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('sessions').dropColumn('second_factor').execute();
    },
  };
}
