/**
 * The metadata store: `openDatabase` opens SQLite (embedded default) or PostgreSQL, runs the migrations,
 * and returns a `Db` with one repository per resource. `db.transaction(fn)` gives `fn` the same
 * repositories bound to one transaction.
 */
import { join } from 'node:path';
import { CamelCasePlugin, sql, type Kysely } from 'kysely';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { fail, isEcouteError } from '../errors.ts';
import { accessLogRepo } from './access-log.repo.ts';
import { agentsRepo } from './agents.repo.ts';
import { analysisRepo } from './analysis.repo.ts';
import { callsRepo } from './calls.repo.ts';
import { countersRepo } from './counters.repo.ts';
import { dataKeysRepo } from './data-keys.repo.ts';
import { openPostgres, openSqlite, redactUrl } from './dialects.ts';
import { DbErrors } from './errors.ts';
import { jobsRepo } from './jobs.repo.ts';
import { migrateToLatest, type MigrationReport } from './migrate.ts';
import { policiesRepo } from './policies.repo.ts';
import { recordingsRepo } from './recordings.repo.ts';
import { dsrRepo, legalHoldsRepo, oppositionRepo } from './rights.repo.ts';
import type { Database } from './schema.ts';
import { settingsRepo } from './settings.repo.ts';
import { shredReceiptsRepo } from './shred-receipts.repo.ts';
import type { DialectName, RepoContext } from './types.ts';
import { apiTokensRepo, sessionsRepo, usersRepo } from './users.repo.ts';

export type { Database } from './schema.ts';
export type { DialectName, Page, PageRequest } from './types.ts';

function repositories(ctx: RepoContext) {
  return {
    dialect: ctx.dialect,
    kysely: ctx.k,
    settings: settingsRepo(ctx),
    agents: agentsRepo(ctx),
    users: usersRepo(ctx),
    sessions: sessionsRepo(ctx),
    apiTokens: apiTokensRepo(ctx),
    policies: policiesRepo(ctx),
    calls: callsRepo(ctx),
    counters: countersRepo(ctx),
    recordings: recordingsRepo(ctx),
    dataKeys: dataKeysRepo(ctx),
    shredReceipts: shredReceiptsRepo(ctx),
    analysis: analysisRepo(ctx),
    accessLog: accessLogRepo(ctx),
    legalHolds: legalHoldsRepo(ctx),
    dsr: dsrRepo(ctx),
    opposition: oppositionRepo(ctx),
    jobs: jobsRepo(ctx),
  };
}

/** The repositories, bound to the store or to one transaction. */
export type Repositories = ReturnType<typeof repositories>;

export interface Db extends Repositories {
  readonly dialect: DialectName;
  /** Typed Kysely (camelCase names) for queries no repository offers yet. */
  readonly kysely: Kysely<Database>;
  /** The migrations run when the store was opened. */
  readonly migrations: MigrationReport;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Closes the connection or pool; idempotent. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… ; when absent, SQLite at `sqliteFile`. */
  readonly url?: string | undefined;
  /** The SQLite file (default `./data/ecoute.sqlite`); `:memory:` for throw-away stores. */
  readonly sqliteFile?: string | undefined;
  readonly clock?: Clock;
  /** Run migrations on open (default true). */
  readonly migrate?: boolean;
}

export async function openDatabase(opts: OpenOptions = {}): Promise<Db> {
  const opened = opts.url
    ? openPostgres(opts.url)
    : openSqlite(opts.sqliteFile ?? join('data', 'ecoute.sqlite'));
  const where = opts.url ? redactUrl(opts.url) : (opts.sqliteFile ?? 'data/ecoute.sqlite');
  try {
    await sql`select 1`.execute(opened.base);
  } catch (e) {
    await opened.base.destroy().catch(() => undefined);
    throw fail(
      DbErrors.UNREACHABLE,
      `cannot reach the database at ${where}: ${(e as Error).message}`,
      { where },
      e,
    );
  }
  let migrations: MigrationReport = { applied: [], current: [] };
  if (opts.migrate !== false) {
    try {
      migrations = await migrateToLatest(opened.base, opened.dialect);
    } catch (e) {
      await opened.base.destroy().catch(() => undefined);
      if (isEcouteError(e)) throw e;
      throw fail(DbErrors.MIGRATION_FAILED, `migrations failed: ${(e as Error).message}`, {}, e);
    }
  }
  const k = opened.base.withPlugin(new CamelCasePlugin()) as Kysely<Database>;
  const clock = opts.clock ?? systemClock;
  const repos = repositories({ k, dialect: opened.dialect, clock });
  let closing: Promise<void> | undefined;
  return {
    ...repos,
    migrations,
    transaction: (fn) =>
      k.transaction().execute((tx) => fn(repositories({ k: tx, dialect: opened.dialect, clock }))),
    close: () => (closing ??= opened.base.destroy()),
  };
}

/** Opens the store the configuration names: `database.url`, else `<dataDir>/ecoute.sqlite`. */
export function openDatabaseFromConfig(config: Config, clock?: Clock, migrate = true): Promise<Db> {
  return openDatabase({
    url: config.database.url,
    sqliteFile: join(config.dataDir, 'ecoute.sqlite'),
    migrate,
    ...(clock && { clock }),
  });
}

/** Runs pending migrations without opening repositories (for `ecoute migrate`). */
export async function migrateDatabase(opts: OpenOptions): Promise<MigrationReport> {
  const db = await openDatabase({ ...opts, migrate: true });
  await db.close();
  return db.migrations;
}
