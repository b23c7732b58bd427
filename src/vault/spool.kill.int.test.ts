import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/support/tmp.ts';
import { pattern, vaultAt } from './testing/vault.fixture.ts';

const CHILD = fileURLToPath(new URL('./testing/spool.child.ts', import.meta.url));
const CHUNK = 1600; // 100 ms of pcmu/8000/2 (the fixture's chunkMs)

test('R-SEC-4: after kill -9 mid-call, the next start recovers every fsynced chunk and marks it interrupted', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, tmp.path, 'killed'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let durable = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    durable = Number(/^durable (\d+)$/.exec(line)?.[1] ?? durable);
    if (durable >= 20) break;
  }
  child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');

  const { vault } = vaultAt(tmp.path);
  const [rec] = await vault.recoverSpools();
  assert.equal(rec?.outcome, 'sealed');
  assert.equal(rec.sealed?.interrupted, true);
  const size = rec.sealed?.durationBytes ?? 0;
  assert.ok(size >= durable * CHUNK, `kept ${size} bytes, ${durable} chunks were reported durable`);
  assert.equal(size % CHUNK, 0, 'whole chunks only');
  assert.deepEqual(await vault.readRange('killed', 0, size), pattern(0, size));
});
