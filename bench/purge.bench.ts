/**
 * Retention purge rate (`npm run bench -- purge [--n=N]`): N expired recordings (default 5,000), each with
 * a wrapped data key in the database and a blob on the filesystem store, shredded through the same path as
 * the retention job (DeletionService.shredRecording: the key destroyed first, then the blob, the row marked
 * shredded, the customer link forgotten, a receipt written; R-RET-4), 16 at a time, on SQLite and on
 * PostgreSQL. Baseline: bare key deletions (keyStore.destroy) of as many keys, same concurrency, same run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Db } from '../src/db/index.ts';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/log.ts';
import { FsBlobStore } from '../src/vault/fs/fs.store.ts';
import { KeyRing, LocalMasterKey } from '../src/vault/keyring.ts';
import { Vault } from '../src/vault/vault.ts';
import { blobKeyOf } from '../src/vault/ids.ts';
import { DeletionService } from '../src/jobs/deletion.service.ts';
import { freshPgDatabase, pgAvailable } from '../test/support/pg.ts';
import type { BenchResult } from './bench.types.ts';

const DAY = 86_400_000;
const CONCURRENCY = 16;

async function pool<T>(items: readonly T[], f: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await f(items[next++] as T);
    }),
  );
}

async function seed(db: Db, blobs: FsBlobStore, n: number, withRows: boolean): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  const now = Date.now();
  for (let at = 0; at < n; at += 500) {
    const slice = ids.slice(at, at + 500);
    await db.kysely
      .insertInto('dataKeys')
      .values(
        slice.map((recordingId) => ({
          recordingId,
          wrapped: randomBytes(60),
          masterKeyId: 'bench',
          createdAt: now,
          rotatedAt: null,
        })),
      )
      .execute();
    if (!withRows) continue;
    const startedAt = now - 200 * DAY;
    const common = {
      startedAt,
      direction: 'inbound',
      queue: 'support',
      agentId: 'a1',
      team: 'support',
      customerHash: randomBytes(16).toString('hex'),
    };
    await db.kysely
      .insertInto('calls')
      .values(
        slice.map((id) => ({
          id: `c-${id}`,
          ...common,
          endedAt: startedAt + 1000,
          protocol: 'twilio',
          protocolIds: '{}',
          customerNumberEnc: 'x',
          noticeVersion: 2,
          noticeEndedAt: startedAt,
          decision: '{}',
        })),
      )
      .execute();
    await db.kysely
      .insertInto('recordings')
      .values(
        slice.map((id) => ({
          id,
          callId: `c-${id}`,
          ...common,
          state: 'sealed',
          policyId: 'p',
          policyVersion: 1,
          purposes: '["quality"]',
          endedAt: startedAt + 1000,
          durationMs: 1000,
          segments: '[]',
          channels: '[]',
          codec: 'opus',
          sizeBytes: 1024,
          sha256: 'x',
          blobKey: blobKeyOf(id),
          expiresAt: now - 17 * DAY,
          audioExpiresAt: null,
          writeOnce: 0,
          legalHoldId: null,
          createdAt: startedAt,
          updatedAt: startedAt,
        })),
      )
      .execute();
    await Promise.all(slice.map((id) => blobs.put(blobKeyOf(id), randomBytes(1024))));
  }
  return ids;
}

async function measure(db: Db, label: string, n: number, dir: string): Promise<BenchResult[]> {
  const blobs = new FsBlobStore(join(dir, `blobs-${db.dialect}`));
  const vault = new Vault({
    keyRing: new KeyRing({ current: new LocalMasterKey(randomBytes(32)), keyStore: db.dataKeys }),
    keyStore: db.dataKeys,
    blobs,
    spoolDir: join(dir, `spool-${db.dialect}`),
    clock: systemClock,
    log: silentLogger,
  });
  const deletion = new DeletionService({ db, vault, clock: systemClock, log: silentLogger });
  const bare = await seed(db, blobs, n, false);
  const recs = await seed(db, blobs, n, true);
  let t = performance.now();
  await pool(bare, (id) => db.dataKeys.destroy(id));
  const baseRate = n / ((performance.now() - t) / 1000);
  t = performance.now();
  await pool(recs, (id) => deletion.shredRecording(id, { rule: 'R-RET-1' }));
  const rate = n / ((performance.now() - t) / 1000);
  const left = await db.kysely
    .selectFrom('dataKeys')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirst();
  if (Number(left?.n) !== 0) throw new Error(`${String(left?.n)} keys survived the purge`);
  return [
    {
      name: `${label}: recordings shredded per second (${n}, ${CONCURRENCY} at a time)`,
      value: rate,
      unit: 'rec/s',
      baseline: baseRate,
      ratio: rate / baseRate,
      target: '>= 5,000 rec/s',
      met: rate >= 5000,
      note: 'baseline: bare key deletions',
    },
  ];
}

export async function run(args: readonly string[]): Promise<BenchResult[]> {
  const n = Number(args.find((a) => a.startsWith('--n='))?.split('=')[1] ?? 5000);
  const dir = mkdtempSync(join(tmpdir(), 'ecoute-bench-purge-'));
  const results: BenchResult[] = [];
  try {
    const lite = await openDatabase({ sqliteFile: join(dir, 'bench.sqlite') });
    try {
      results.push(...(await measure(lite, 'SQLite + fs', n, dir)));
    } finally {
      await lite.close();
    }
    if (await pgAvailable()) {
      const pg = await freshPgDatabase();
      const db = await openDatabase({ url: pg.url });
      try {
        results.push(...(await measure(db, 'PostgreSQL + fs', n, dir)));
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
