/**
 * Metadata search latency (`npm run bench -- search [--rows=N]`): N recordings (default 200,000; the issue's
 * size is `--rows=1000000`) generated with batched multi-row inserts into a fresh SQLite file and a fresh
 * PostgreSQL database, then the console's default queries through the API's own query builder
 * (searchRecordings, scoped by role as R-MIN-3 asks): p50 and p95 over repeated runs with varied values.
 * Baseline: a primary-key lookup of one recording in the same store and run.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../src/db/index.ts';
import { searchRecordings } from '../src/api/recordings/recordings.query.ts';
import type { Principal } from '../src/api/access/decide.ts';
import { freshPgDatabase, pgAvailable } from '../test/support/pg.ts';
import type { BenchResult } from './bench.types.ts';

const DAY = 86_400_000;
const TEAMS = 40;
const AGENTS = 2000;
const QUEUES = ['sales', 'support', 'billing', 'claims', 'retention'];
const NOW = Date.UTC(2026, 10, 28);

function flag(args: readonly string[], name: string, def: number): number {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : def;
}

/** Recordings over 183 days (R-RET-1's longest window), spread over teams, agents and queues. */
async function generate(db: Db, rows: number): Promise<{ ids: string[]; hashes: string[] }> {
  const ids: string[] = [];
  const hashes: string[] = [];
  const batch = 500;
  const perTx = 20 * batch; // one transaction per 10,000 rows: SQLite commits (fsyncs) per transaction
  for (let tx = 0; tx < rows; tx += perTx) {
    await db.kysely.transaction().execute(async (trx) => {
      for (let at = tx; at < Math.min(rows, tx + perTx); at += batch) {
        const calls = [];
        const recs = [];
        for (let i = at; i < Math.min(rows, at + batch); i++) {
          const agent = i % AGENTS;
          const startedAt = NOW - Math.floor((i / rows) * 183 * DAY) - (i % 997) * 1000;
          const callId = randomUUID();
          const id = randomUUID();
          const customerHash = randomBytes(16).toString('hex');
          if (i % 5000 === 0) {
            ids.push(id);
            hashes.push(customerHash);
          }
          const common = {
            startedAt,
            direction: i % 3 ? 'inbound' : 'outbound',
            queue: QUEUES[i % QUEUES.length] ?? null,
            agentId: `agent-${agent}`,
            team: `team-${agent % TEAMS}`,
            customerHash,
          };
          calls.push({
            id: callId,
            ...common,
            endedAt: startedAt + 180_000,
            protocol: 'twilio',
            protocolIds: '{}',
            customerNumberEnc: null,
            noticeVersion: 2,
            noticeEndedAt: startedAt,
            decision: '{}',
          });
          recs.push({
            id,
            callId,
            ...common,
            state: 'sealed',
            policyId: 'qualite-2026-q4',
            policyVersion: 1,
            purposes: '["quality"]',
            endedAt: startedAt + 180_000,
            durationMs: 180_000,
            segments: '[]',
            channels: '[]',
            codec: 'opus',
            sizeBytes: 700_000,
            sha256: 'x',
            blobKey: `rec/${id}`,
            expiresAt: startedAt + 183 * DAY,
            audioExpiresAt: null,
            writeOnce: 0,
            legalHoldId: null,
            createdAt: startedAt,
            updatedAt: startedAt,
          });
        }
        // Raw rows straight into the tables: the repositories insert one row at a time, too slow for 1M.
        await trx.insertInto('calls').values(calls).execute();
        await trx.insertInto('recordings').values(recs).execute();
      }
    });
  }
  await sql`analyze`.execute(db.kysely); // fresh statistics, as a long-running store has
  return { ids, hashes };
}

const user = (
  roles: Principal extends infer P ? (P extends { kind: 'user'; roles: infer R } ? R : never) : never,
  teams: string[],
  agentId?: string,
): Principal => ({
  kind: 'user',
  id: 'u',
  login: 'u',
  roles,
  teams,
  agentId,
  secondFactor: true,
});

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function timeIt(runs: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await f(i); // warm-up: plans and caches
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f(i);
    out.push(performance.now() - t);
  }
  return out;
}

async function measure(db: Db, label: string, rows: number): Promise<BenchResult[]> {
  const t0 = performance.now();
  const { ids, hashes } = await generate(db, rows);
  const genS = (performance.now() - t0) / 1000;
  const k = db.kysely;
  const base = await timeIt(40, (i) => db.recordings.get(ids[i % ids.length] ?? ''));
  const baseP95 = pct(base, 95);
  const queries: [string, (i: number) => Promise<unknown>][] = [
    ['DPO: newest 50', () => searchRecordings(k, user(['dpo'], []), {})],
    [
      'supervisor of 2 teams: newest 50',
      (i) => searchRecordings(k, user(['supervisor'], [`team-${i % TEAMS}`, `team-${(i + 7) % TEAMS}`]), {}),
    ],
    [
      'supervisor: team, last 7 days',
      (i) =>
        searchRecordings(k, user(['supervisor'], [`team-${i % TEAMS}`]), {
          team: `team-${i % TEAMS}`,
          from: NOW - 7 * DAY,
        }),
    ],
    [
      'supervisor: agent, queue, 30 days',
      (i) =>
        searchRecordings(k, user(['supervisor'], [`team-${i % TEAMS}`]), {
          agentId: `agent-${i % TEAMS}`,
          queue: QUEUES[i % QUEUES.length],
          from: NOW - 30 * DAY,
        }),
    ],
    ['agent: own calls', (i) => searchRecordings(k, user(['agent'], [], `agent-${(i * 37) % AGENTS}`), {})],
    [
      'DPO: customer number (R-DSR-1)',
      (i) => searchRecordings(k, user(['dpo'], []), { customerHash: hashes[i % hashes.length] ?? '' }),
    ],
  ];
  const out: BenchResult[] = [];
  for (const [name, q] of queries) {
    const xs = await timeIt(30, q);
    const p95 = pct(xs, 95);
    out.push({ name: `${label} ${name}: p50`, value: pct(xs, 50), unit: 'ms' });
    out.push({
      name: `${label} ${name}: p95`,
      value: p95,
      unit: 'ms',
      baseline: baseP95,
      ratio: p95 / baseP95,
      target: '< 50 ms',
      met: p95 < 50,
    });
  }
  out.push({
    name: `${label} generation of ${rows} rows`,
    value: genS,
    unit: 's',
    note: `${Math.round(rows / genS)} rows/s (calls + recordings, 500-row inserts, 10,000 per transaction)`,
  });
  return out;
}

export async function run(args: readonly string[]): Promise<BenchResult[]> {
  const rows = flag(args, 'rows', 200_000);
  const results: BenchResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ecoute-bench-search-'));
  try {
    const lite = await openDatabase({ sqliteFile: join(dir, 'bench.sqlite') });
    try {
      results.push(...(await measure(lite, `SQLite ${rows}:`, rows)));
    } finally {
      await lite.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (await pgAvailable()) {
    const pg = await freshPgDatabase();
    const db = await openDatabase({ url: pg.url });
    try {
      results.push(...(await measure(db, `PostgreSQL ${rows}:`, rows)));
    } finally {
      await db.close();
      await pg.drop();
    }
  } else results.push({ name: 'PostgreSQL: not run (unreachable)', value: 0, unit: '' });
  return results;
}
