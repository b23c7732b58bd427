import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { isEcouteError, type EcouteError } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { S3BlobStore } from './s3/s3.store.ts';
import { pattern, vaultAt } from './testing/vault.fixture.ts';

const FMT = 'pcmu/8000/2';

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a full disk during a spool write is a typed error naming that recording; other recordings survive', async (t) => {
  const tmp = tempDir();
  const spoolDir = join(tmp.path, 'spool');
  mkdirSync(spoolDir);
  if (!tryMountTmpfs(spoolDir, '64k')) {
    process.stderr.write('\nNOTICE: cannot mount a tmpfs (not root?): full-disk test SKIPPED.\n\n');
    tmp.remove();
    t.skip('tmpfs unavailable');
    return;
  }
  t.after(() => {
    execFileSync('umount', [spoolDir]);
    tmp.remove();
  });
  const { vault } = vaultAt(tmp.path, { spoolDir });
  const a = await vault.openSpool('calm', { format: FMT });
  a.append(pattern(0, 8000));
  await a.flush();

  let reported: EcouteError | undefined;
  const b = await vault.openSpool('greedy', { format: FMT, onError: (e) => (reported = e) });
  for (let o = 0; o < 200_000; o += 320) b.append(pattern(o, 320));
  await assert.rejects(
    b.flush(),
    (e: unknown) => isEcouteError(e, VaultErrors.SPOOL_WRITE) && e.context.recordingId === 'greedy',
  );
  assert.equal(reported?.code, 'ECOUTE_VAULT_SPOOL_WRITE');
  assert.equal(reported.context.errno, 'ENOSPC');
  b.append(pattern(0, 320)); // the media path keeps running: audio is dropped, nothing throws
  assert.equal(b.droppedBytes, 320);
  await b.abort('disk full');

  a.append(pattern(8000, 2000));
  const info = await a.finish();
  assert.equal(info.durationBytes, 10_000);
  assert.deepEqual(await vault.readRange('calm', 0, 10_000), pattern(0, 10_000));
  assert.deepEqual(readdirSync(spoolDir), []);
});

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('S3 unreachable: sealing fails with a typed error naming the recording, and the spool is kept for later', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const down = new S3BlobStore({
    endpoint: `http://127.0.0.1:${await closedPort()}`,
    region: 'us-east-1',
    bucket: 'ecoute',
    accessKeyId: 'x',
    secretAccessKey: 'y',
    maxAttempts: 1,
  });
  t.after(() => down.close());
  const { vault } = vaultAt(tmp.path, { blobs: down });
  const w = await vault.openSpool('offline', { format: FMT });
  w.append(pattern(0, 5000));
  await assert.rejects(
    w.finish(),
    (e: unknown) => isEcouteError(e, VaultErrors.BLOB_UNAVAILABLE) && e.context.recordingId === 'offline',
  );
  await assert.rejects(
    vault.readRange('offline', 0, 1),
    (e: unknown) => isEcouteError(e, VaultErrors.BLOB_UNAVAILABLE) && e.context.recordingId === 'offline',
  );

  // Storage back (here: the filesystem store): the next start seals the complete spool, nothing lost.
  const [rec] = await vaultAt(tmp.path).vault.recoverSpools();
  assert.equal(rec?.outcome, 'sealed');
  assert.equal(rec.sealed?.interrupted, false);
  assert.equal(rec.sealed?.durationBytes, 5000);
  assert.deepEqual(await vaultAt(tmp.path).vault.readRange('offline', 4000, 5000), pattern(4000, 1000));
});

test('an invalid recording id or format is refused before anything is written', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, keyStore } = vaultAt(tmp.path);
  await assert.rejects(vault.openSpool('../etc/passwd', { format: FMT }), (e: unknown) =>
    isEcouteError(e, VaultErrors.INVALID_ID),
  );
  await assert.rejects(vault.openSpool('ok', { format: 'mp3' }), (e: unknown) =>
    isEcouteError(e, VaultErrors.FORMAT),
  );
  await assert.rejects(vault.openSpool('ok', { format: 'opus/48000/2' }), (e: unknown) =>
    isEcouteError(e, VaultErrors.FORMAT),
  );
  assert.equal(await keyStore.get('ok'), undefined);
  await vault.openSpool('twice', { format: FMT });
  await assert.rejects(vault.openSpool('twice', { format: FMT }), (e: unknown) =>
    isEcouteError(e, VaultErrors.KEY_EXISTS),
  );
});
