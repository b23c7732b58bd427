/**
 * Playback time-to-first-byte on a one-hour recording through the real API (`npm run bench -- playback`):
 * an Ecoute node (startEcoute, roles api, SQLite, the vault on the filesystem) on a loopback port, one
 * sealed hour of stereo audio, a supervisor session with its second factor (R-SEC-1), and
 * `GET /api/recordings/:id/audio?purpose=quality` with the first range a player asks for; each request
 * goes through the one access check and writes its access-log entry (R-SEC-2, R-MIN-2), as in production.
 * Baseline: reading the first 1 s chunk from the vault directly (decrypt included), same run.
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/config.ts';
import { startEcoute } from '../src/main.ts';
import { silentLogger } from '../src/log.ts';
import { systemClock } from '../src/clock.ts';
import { IdentityStore } from '../src/api/auth/identity.store.ts';
import { hashPassword } from '../src/api/auth/password.ts';
import type { BenchResult } from './bench.types.ts';

function ttfb(url: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(url, { headers: { cookie, range: 'bytes=0-65535' } }, (res) => {
      res.once('data', () => {
        const ms = performance.now() - t;
        if (res.statusCode !== 206) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.once('end', () => resolve(ms));
      });
    });
    req.once('error', reject);
    req.end();
  });
}

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * (xs.length - 1))] ?? 0;

export async function run(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ecoute-bench-playback-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: dir,
      roles: ['api'],
      'http.host': '127.0.0.1',
      'http.port': 0,
      'log.level': 'silent',
    },
  });
  const node = await startEcoute(config, { log: silentLogger, print: () => undefined, signals: false });
  try {
    const k = node.db.kysely;
    const id = randomUUID();
    const callId = randomUUID();
    const now = Date.now();
    await node.db.calls.insert({
      id: callId,
      startedAt: now - 3_600_000,
      direction: 'inbound',
      queue: 'support',
      agentId: undefined,
      team: 'support',
      protocol: 'twilio',
      protocolIds: {},
      customerNumberEnc: undefined,
      customerHash: undefined,
      noticeVersion: 2,
      noticeEndedAt: now - 3_600_000,
    });
    await node.db.recordings.insert({
      id,
      callId,
      policyId: 'qualite-2026-q4',
      policyVersion: 1,
      purposes: ['quality'],
      startedAt: now - 3_600_000,
      direction: 'inbound',
      team: 'support',
    });
    const w = await node.vault.openSpool(id, { format: 'pcmu/8000/2' });
    const second = Buffer.alloc(16_000, 0x7f);
    for (let s = 0; s < 3600; s++) w.append(second);
    const sealed = await w.finish();
    await node.db.recordings.setSealed(id, {
      endedAt: now,
      durationMs: 3_600_000,
      segments: [],
      codec: sealed.format,
      sizeBytes: sealed.size,
      sha256: sealed.sha256,
      blobKey: sealed.blobKey,
      expiresAt: now + 30 * 86_400_000,
    });
    const identity = new IdentityStore(k, systemClock);
    const u = await identity.create({
      login: 'bench-sup',
      displayName: 'Bench',
      passwordHash: await hashPassword('x', { N: 1024 }),
      roles: ['supervisor'],
      teams: ['support'],
      agentId: undefined,
    });
    await identity.setTotp(u.id, 'JBSWY3DPEHPK3PXP', true);
    const s = await identity.openSession(u.id, 'totp');
    const cookie = `ecoute_session=${s.sessionId}`;
    const url = `${node.url}/api/recordings/${id}/audio?purpose=quality`;

    const cold = await ttfb(url, cookie);
    const api: number[] = [];
    for (let i = 0; i < 40; i++) api.push(await ttfb(url, cookie));
    const direct: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      await node.vault.readRange(id, 0, 16_000);
      direct.push(performance.now() - t);
    }
    const p95 = pct(api, 95);
    return [
      {
        name: 'playback TTFB, 1 h recording, first request (cold reader)',
        value: cold,
        unit: 'ms',
        target: '< 150 ms',
        met: cold < 150,
      },
      {
        name: 'playback TTFB, 1 h recording, p50',
        value: pct(api, 50),
        unit: 'ms',
        baseline: pct(direct, 50),
        ratio: pct(api, 50) / pct(direct, 50),
        note: 'baseline: first chunk read from the vault directly',
      },
      {
        name: 'playback TTFB, 1 h recording, p95',
        value: p95,
        unit: 'ms',
        baseline: pct(direct, 95),
        ratio: p95 / pct(direct, 95),
        target: '< 150 ms',
        met: p95 < 150,
      },
    ];
  } finally {
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
