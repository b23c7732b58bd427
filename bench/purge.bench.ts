/**
 * Retention purge rate (`npm run bench -- purge [--n=N] [--batch=B]`), issue 10: N expired recordings
 * (default 20,000), each with a call carrying a customer number, a wrapped data key in the database and a
 * 1 KiB blob on the filesystem store, purged by the retention job itself (`runRetention`, its batch path:
 * per batch of B (default 500) one key DELETE, one bulk blob deletion, one transaction marking the rows,
 * forgetting the numbers and writing the receipts; R-RET-4), on SQLite and on PostgreSQL.
 * Baseline, same run, same store: the bare `DELETE FROM data_keys WHERE recording_id IN (…)` of as many
 * other keys in the same batches: the floor of any purge that destroys keys in the database.
 * The store is vacuumed and analysed after seeding, as months-old expiring rows would be.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/db/index.ts';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/log.ts';
import { FsBlobStore } from '../src/vault/fs/fs.store.ts';
import { KeyRing, LocalMasterKey } from '../src/vault/keyring.ts';
import { Vault } from '../src/vault/vault.ts';
import { DeletionService } from '../src/jobs/deletion.service.ts';
import { runRetention } from '../src/jobs/retention.job.ts';
import { seedExpired } from '../src/jobs/testing/seed.ts';
import { freshPgDatabase, pgAvailable } from '../test/support/pg.ts';
import type { BenchResult } from './bench.types.ts';

const TARGET = 5000;

function arg(args: readonly string[], name: string, fallback: number): number {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return v === undefined ? fallback : Number(v);
}

async function measure(db: Db, label: string, n: number, batch: number, dir: string): Promise<BenchResult[]> {
  const root = join(dir, `blobs-${db.dialect}`);
  const blobs = new FsBlobStore(root);
  const vault = new Vault({
    keyRing: new KeyRing({ current: new LocalMasterKey(randomBytes(32)), keyStore: db.dataKeys }),
    keyStore: db.dataKeys,
    blobs,
    spoolDir: join(dir, `spool-${db.dialect}`),
    clock: systemClock,
    log: silentLogger,
  });
  const deletion = new DeletionService({ db, vault, clock: systemClock, log: silentLogger });
  const now = Date.now();
  // Seeding writes the blob files without an fsync each (what is measured is their deletion).
  const putBlob = async (key: string, body: Uint8Array) => {
    const path = join(root, key);
    mkdirSync(dirname(path), { recursive: true });
    await writeFile(path, body);
  };
  const bare = await seedExpired(db, blobs, { n, now, keysOnly: true });
  await seedExpired(db, blobs, { n, now, putBlob });
  // Recordings that expire were written months ago: vacuumed and analysed long since (autovacuum on
  // PostgreSQL). Freshly bulk-loaded rows would make the first UPDATE of each pay for the whole load.
  await sql.raw(db.dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db.kysely);

  let t = performance.now();
  for (let at = 0; at < n; at += batch) await db.dataKeys.destroyMany(bare.slice(at, at + batch));
  const baseRate = n / ((performance.now() - t) / 1000);

  t = performance.now();
  const report = await runRetention({
    db,
    deletion,
    clock: systemClock,
    log: silentLogger,
    batchSize: batch,
  });
  const seconds = (performance.now() - t) / 1000;
  const rate = report.recordingsShredded / seconds;
  const keysLeft = await db.dataKeys.count();
  let blobsLeft = 0;
  for await (const _ of blobs.list('recordings/')) blobsLeft++;
  if (report.recordingsShredded !== n || report.failures !== 0 || keysLeft !== 0 || blobsLeft !== 0)
    throw new Error(
      `purge incomplete: ${report.recordingsShredded}/${n} shredded, ${report.failures} failures, ${keysLeft} keys and ${blobsLeft} blobs left`,
    );
  return [
    {
      name: `${label}: recordings purged per second by runRetention (${n}, batches of ${batch})`,
      value: rate,
      unit: 'rec/s',
      baseline: baseRate,
      ratio: rate / baseRate,
      target: `>= ${TARGET.toLocaleString('en')} rec/s`,
      met: rate >= TARGET,
      note: `baseline: bare batched key DELETEs; purge took ${seconds.toFixed(2)} s`,
    },
  ];
}

export async function run(args: readonly string[]): Promise<BenchResult[]> {
  const n = arg(args, 'n', 20_000);
  const batch = arg(args, 'batch', 500);
  const dir = mkdtempSync(join(tmpdir(), 'ecoute-bench-purge-'));
  const results: BenchResult[] = [];
  try {
    const lite = await openDatabase({ sqliteFile: join(dir, 'bench.sqlite') });
    try {
      results.push(...(await measure(lite, 'SQLite + fs', n, batch, dir)));
    } finally {
      await lite.close();
    }
    if (await pgAvailable()) {
      const pg = await freshPgDatabase();
      const db = await openDatabase({ url: pg.url });
      try {
        results.push(...(await measure(db, 'PostgreSQL + fs', n, batch, dir)));
      } finally {
        await db.close();
        await pg.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
