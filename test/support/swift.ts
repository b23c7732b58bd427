/**
 * A real S3-compatible server for integration suites: OpenStack Swift with s3api, started by
 * scripts/swift-s3.sh on a free port range in a temp dir, once per test file, and stopped (its pids
 * killed) afterwards. Skipped with a visible notice when swift is not installed, unless
 * ECOUTE_TEST_REQUIRE_S3=1 (set by CI), in which case it fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { S3BlobStore } from '../../src/vault/s3/s3.store.ts';
import { tempDir } from './tmp.ts';

const SCRIPT = fileURLToPath(new URL('../../scripts/swift-s3.sh', import.meta.url));
const REQUIRED = process.env.ECOUTE_TEST_REQUIRE_S3 === '1';

export interface SwiftS3 {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  stop(): void;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A base port P with P and P+10..P+13 free (the proxy, object, container, account and memcached ports),
 * drawn in 10000–19999: below the kernel's ephemeral range (an outgoing connection could take a port between
 * this check and swift's bind) and apart from the range test/support/ports.ts hands to sipp.
 */
async function freeBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 10_000 + Math.floor(Math.random() * 9_980);
    const all = await Promise.all([0, 10, 11, 12, 13].map((d) => portFree(base + d)));
    if (all.every(Boolean)) return base;
  }
  throw new Error('no free port range for swift');
}

export function swiftInstalled(): boolean {
  return existsSync('/usr/bin/swift-proxy-server') && existsSync('/usr/bin/memcached');
}

/** Starts swift, or returns undefined (with a notice) when it is not installed and not required. */
export async function startSwift(): Promise<SwiftS3 | undefined> {
  if (!swiftInstalled()) {
    if (REQUIRED) throw new Error('ECOUTE_TEST_REQUIRE_S3=1 but OpenStack Swift is not installed');
    process.stderr.write('\nNOTICE: OpenStack Swift not installed: S3 blob store suites are SKIPPED.\n\n');
    return undefined;
  }
  const dir = tempDir('ecoute-swift-');
  const base = await freeBase();
  const stop = () => {
    try {
      for (const line of readFileSync(`${dir.path}/pids.txt`, 'utf8').split('\n')) {
        const pid = Number(line.split(' ')[1]);
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            /* already gone */
          }
        }
      }
    } catch {
      /* never started */
    }
    rmSync(dir.path, { recursive: true, force: true });
  };
  try {
    await promisify(execFile)('bash', [SCRIPT, dir.path, String(base)], { timeout: 150_000 });
  } catch (e) {
    let log = '';
    for (const n of ['proxy', 'object', 'container', 'account', 'memcached']) {
      try {
        const tail = readFileSync(`${dir.path}/log/${n}.log`, 'utf8').trim().split('\n').slice(-8);
        log += `\n--- ${n}.log\n${tail.join('\n')}`;
      } catch {
        /* that server wrote nothing */
      }
    }
    stop();
    throw new Error(`swift did not start: ${(e as Error).message}\n${log}`);
  }
  const swift: SwiftS3 = {
    endpoint: `http://127.0.0.1:${base}`,
    region: 'us-east-1',
    accessKeyId: 'test:tester',
    secretAccessKey: 'testing',
    stop,
  };
  try {
    await untilStoring(swift);
  } catch (e) {
    stop();
    throw e;
  }
  return swift;
}

/**
 * The script's health check answers as soon as the proxy listens; the account, container and object
 * servers behind it may still be starting, and then every request gets 503 "Please reduce your request
 * rate". Ready means one object really stored, read and deleted through the S3 API. The server offers no
 * event to await, so this polls it (a pause of 200 ms between attempts, 60 s at most).
 */
async function untilStoring(s: SwiftS3): Promise<void> {
  const probe = new S3BlobStore({
    ...s,
    bucket: 'ecoute-ready-probe',
    maxAttempts: 1,
    requestTimeoutMs: 5_000,
  });
  const deadline = Date.now() + 60_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      await probe.put('probe/ready', Buffer.from('ready'));
      const head = await probe.head('probe/ready');
      if (head?.size === 5) {
        await probe.delete('probe/ready');
        return;
      }
      last = `stored size ${String(head?.size)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`swift never stored an object: ${last}`);
}
