/**
 * The two dialects behind one Kysely: better-sqlite3 (embedded default: WAL, foreign keys, busy timeout)
 * and pg (scale-out). pg's int8 and numeric come back as numbers here, so that ms timestamps and counts
 * read the same on both (our int8 values are ms since epoch and counts: far below 2^53).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { fail } from '../errors.ts';
import { DbErrors } from './errors.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- the base instance is untyped; index.ts types it */
export interface OpenedDialect {
  readonly base: Kysely<any>;
  readonly dialect: 'sqlite' | 'postgres';
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function pgTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: string): ((v: string) => unknown) => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (v: string) => Number(v);
      return pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown;
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** Hides the password of a connection URL in messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function openSqlite(file: string, busyTimeoutMs = 5000): OpenedDialect {
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new SqliteDatabase(file, { timeout: busyTimeoutMs });
    database.pragma('journal_mode = WAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // WAL + NORMAL: durable across process crashes; a power loss may lose the last transactions only.
    database.pragma('synchronous = NORMAL');
    return { base: new Kysely<any>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite' };
  } catch (e) {
    throw fail(
      DbErrors.UNREACHABLE,
      `cannot open SQLite database ${file}: ${(e as Error).message}`,
      { file },
      e,
    );
  }
}

export function openPostgres(url: string, poolSize = 10): OpenedDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    types: pgTypes(),
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return { base: new Kysely<any>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
}
