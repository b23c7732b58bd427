/**
 * Vault benchmark (`npm run bench -- vault`): sealing throughput against raw AES-256-GCM on the same bytes,
 * spool append cost per second of two-channel audio, and random range read latency in a one-hour recording
 * on the filesystem store. Ratios are measured in the same run.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FLAG_FINAL, sealChunk } from '../src/vault/container.ts';
import { vaultAt } from '../src/vault/testing/vault.fixture.ts';

export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly ratio?: number;
  readonly target?: string;
}

const BYTES_PER_SECOND = 16_000; // pcmu/8000/2
const CHUNK = BYTES_PER_SECOND; // vault.chunkMs = 1000

function best(runs: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

function sealingThroughput(): BenchResult {
  const data = randomBytes(32 * 1024 * 1024);
  const key = randomBytes(32);
  const hash = randomBytes(32);
  // Raw: one GCM stream over the same bytes, fed in the same slices (a single 64 MB update mostly
  // measures allocating a 64 MB output). Runs alternate so that noise on a shared machine hits both.
  const rawOnce = () => {
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    for (let at = 0; at < data.length; at += CHUNK) c.update(data.subarray(at, at + CHUNK));
    c.final();
    c.getAuthTag();
  };
  const sealOnce = () => {
    const n = Math.ceil(data.length / CHUNK);
    for (let i = 0; i < n; i++)
      sealChunk(key, hash, i, i === n - 1 ? FLAG_FINAL : 0, data.subarray(i * CHUNK, (i + 1) * CHUNK));
  };
  let raw = Infinity;
  let sealed = Infinity;
  for (let i = 0; i < 7; i++) {
    raw = Math.min(raw, best(1, rawOnce));
    sealed = Math.min(sealed, best(1, sealOnce));
  }
  const mbps = (ms: number) => data.length / 1e6 / (ms / 1000);
  return {
    name: 'vault: sealing throughput (1 s chunks) vs raw AES-256-GCM',
    value: Math.round(mbps(sealed)),
    unit: 'MB/s',
    baseline: Math.round(mbps(raw)),
    ratio: Number((raw / sealed).toFixed(2)), // sealed throughput / raw throughput
    target: 'ratio >= 0.8',
  };
}

async function spoolAppendCost(dir: string): Promise<BenchResult> {
  const { vault } = vaultAt(dir, { chunkMs: 1000 });
  const seconds = 600;
  const frame = randomBytes(320); // 20 ms of stereo µ-law
  const w = await vault.openSpool('bench-spool', { format: 'pcmu/8000/2' });
  const t = performance.now();
  for (let i = 0; i < seconds * 50; i++) w.append(frame);
  const appendMs = performance.now() - t;
  await w.flush();
  await w.abort('bench');
  return {
    name: 'vault: spool append cost per second of two-channel audio (event-loop time, sync part)',
    value: Number(((appendMs / seconds) * 1000).toFixed(1)),
    unit: 'µs per audio second',
  };
}

async function randomRangeLatency(dir: string): Promise<BenchResult[]> {
  const { vault } = vaultAt(dir, { chunkMs: 1000 });
  const total = 3600 * BYTES_PER_SECOND;
  const w = await vault.openSpool('bench-hour', { format: 'pcmu/8000/2' });
  const second = randomBytes(BYTES_PER_SECOND);
  for (let s = 0; s < 3600; s++) w.append(second);
  await w.finish();
  const reader = await vault.openReader('bench-hour');
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const start = Math.floor(Math.random() * (total - 32_000));
    const t = performance.now();
    await reader.read(start, start + 32_000); // 2 s of audio, as a player seeks
    lat.push(performance.now() - t);
  }
  reader.close();
  const cold: number[] = [];
  for (let i = 0; i < 50; i++) {
    const start = Math.floor(Math.random() * (total - 32_000));
    const t = performance.now();
    await vault.readRange('bench-hour', start, start + 32_000);
    cold.push(performance.now() - t);
  }
  const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
  return [
    {
      name: 'vault: random 2 s range read in a 1 h recording, open reader, fs, p50',
      value: Number(p(lat, 0.5).toFixed(3)),
      unit: 'ms',
      target: '< 5 ms',
    },
    {
      name: 'vault: random 2 s range read in a 1 h recording, open reader, fs, p99',
      value: Number(p(lat, 0.99).toFixed(3)),
      unit: 'ms',
      target: '< 5 ms',
    },
    {
      name: 'vault: random 2 s range read incl. key unwrap and open, fs, p50',
      value: Number(p(cold, 0.5).toFixed(3)),
      unit: 'ms',
      target: '< 5 ms',
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ecoute-bench-vault-'));
  try {
    return [sealingThroughput(), await spoolAppendCost(dir), ...(await randomRangeLatency(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
