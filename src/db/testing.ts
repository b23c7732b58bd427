/**
 * `forEachDialect(name, fn)`: registers one suite per dialect, each over a real store (a SQLite file in a
 * temp dir; a fresh PostgreSQL database dropped afterwards). PostgreSQL suites are skipped with a visible
 * notice when the server is unreachable (test/support/pg.ts), and fail when ECOUTE_TEST_REQUIRE_PG=1.
 */
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { FakeClock } from '../clock.ts';
import { freshPgDatabase, pgAvailable } from '../../test/support/pg.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { openDatabase, type Db, type OpenOptions } from './index.ts';
import type { DialectName } from './types.ts';

export interface DialectHarness {
  readonly dialect: DialectName;
  readonly clock: FakeClock;
  /** The store opened for the suite. */
  readonly db: Db;
  /** Where the store is: what `openDatabase` needs to open it again (another node, a re-open). */
  readonly location: Pick<OpenOptions, 'url' | 'sqliteFile'>;
  /** Opens another handle on the same store (closed with the suite). */
  open(opts?: Partial<OpenOptions>): Promise<Db>;
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export function forEachDialect(name: string, fn: (h: DialectHarness) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, async () => {
      if (dialect === 'postgres' && !(await pgAvailable())) {
        it('PostgreSQL unreachable: suite SKIPPED', { skip: 'PostgreSQL unreachable' }, () => undefined);
        return;
      }
      const clock = new FakeClock('2026-11-02T09:00:00Z');
      const extra: Db[] = [];
      let db: Db | undefined;
      let location: Pick<OpenOptions, 'url' | 'sqliteFile'> = {};
      let cleanup: () => Promise<void> = () => Promise.resolve();
      const h: DialectHarness = {
        dialect,
        clock,
        get db(): Db {
          if (!db) throw new Error('the store is opened in before()');
          return db;
        },
        get location() {
          return location;
        },
        async open(opts = {}) {
          const other = await openDatabase({ ...location, clock, ...opts });
          extra.push(other);
          return other;
        },
      };
      before(async () => {
        if (dialect === 'postgres') {
          const pg = await freshPgDatabase();
          location = { url: pg.url };
          cleanup = pg.drop;
        } else {
          const dir = tempDir('ecoute-db-');
          location = { sqliteFile: join(dir.path, 'ecoute.sqlite') };
          cleanup = () => Promise.resolve(dir.remove());
        }
        db = await openDatabase({ ...location, clock });
      });
      after(async () => {
        for (const d of extra) await d.close();
        await db?.close();
        await cleanup();
      });
      fn(h);
    });
  }
}
