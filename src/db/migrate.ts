/**
 * Versioned migrations (Kysely Migrator, static provider). Each file `migrations/NNNN_name.ts` exports a
 * factory taking the dialect, for the few types that differ. Run on open and by `ecoute migrate`.
 */
import { Migrator, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { fail } from '../errors.ts';
import { DbErrors } from './errors.ts';
import { coreMigration } from './migrations/0001_core.ts';
import { totpLastStepMigration } from './migrations/0002_totp_last_step.ts';
import { sessionSecondFactorMigration } from './migrations/0003_session_second_factor.ts';
import { deletionClaimMigration } from './migrations/0004_deletion_claim.ts';
import type { DialectName } from './types.ts';

/** Names of every migration, oldest first. */
export const MIGRATION_NAMES: readonly string[] = [
  '0001_core',
  '0002_totp_last_step',
  '0003_session_second_factor',
  '0004_deletion_claim',
];

function migrations(dialect: DialectName): Record<string, Migration> {
  const all: Record<string, Migration> = {
    '0001_core': coreMigration(dialect),
    '0002_totp_last_step': totpLastStepMigration(dialect),
    '0003_session_second_factor': sessionSecondFactorMigration(dialect),
    '0004_deletion_claim': deletionClaimMigration(dialect),
  };
  if (Object.keys(all).join() !== MIGRATION_NAMES.join()) throw new Error('MIGRATION_NAMES is out of date');
  return all;
}

export interface MigrationReport {
  /** Migrations applied by this run, in order. */
  readonly applied: readonly string[];
  /** Every migration the database now has. */
  readonly current: readonly string[];
}

/* eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on the untyped base */
export async function migrateToLatest(base: Kysely<any>, dialect: DialectName): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: base,
    provider: { getMigrations: () => Promise.resolve(migrations(dialect)) },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r: MigrationResult) => r.status === 'Error');
  if (error !== undefined || failed) {
    const name = failed?.migrationName ?? '(migrator)';
    throw fail(
      DbErrors.MIGRATION_FAILED,
      `migration ${name} failed: ${(error as Error | undefined)?.message ?? 'unknown error'}`,
      { migration: name },
      error,
    );
  }
  const all = await migrator.getMigrations();
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
  };
}
