/**
 * PostgreSQL for integration suites. The URL is ECOUTE_TEST_PG_URL (default: the machine's server,
 * postgres://postgres@127.0.0.1:5432/postgres). Each suite gets a fresh database, dropped afterwards.
 * When the server is unreachable the suites are skipped with a visible notice, unless
 * ECOUTE_TEST_REQUIRE_PG=1 (set by .ci/run), in which case they fail.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export const PG_ADMIN_URL = process.env.ECOUTE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRED = process.env.ECOUTE_TEST_REQUIRE_PG === '1';

let availability: Promise<boolean> | undefined;

export function pgAvailable(): Promise<boolean> {
  availability ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (e) {
      if (REQUIRED)
        throw new Error(
          `PostgreSQL is required (ECOUTE_TEST_REQUIRE_PG=1) but unreachable at ${PG_ADMIN_URL}: ${(e as Error).message}`,
        );
      process.stderr.write(
        `\nNOTICE: PostgreSQL unreachable at ${PG_ADMIN_URL}: PostgreSQL suites are SKIPPED.\n\n`,
      );
      return false;
    }
  })();
  return availability;
}

/** Creates a fresh database and returns its URL and a drop function. */
export async function freshPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ecoute_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
