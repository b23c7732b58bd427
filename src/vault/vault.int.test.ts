import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appendFile, chmod, copyFile, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { isEcouteError, type ErrorSpec } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { ContainerReader } from './container.reader.ts';
import { KeyRing, LocalMasterKey, loadLocalMasterKey } from './keyring.ts';
import { Vault } from './vault.ts';
import { silentLogger } from '../log.ts';
import { pattern, vaultAt } from './testing/vault.fixture.ts';

const FMT = 'pcmu/8000/2';

async function record(v: Vault, id: string, bytes: number) {
  const w = await v.openSpool(id, { format: FMT });
  for (let o = 0; o < bytes; o += 320) w.append(pattern(o, Math.min(320, bytes - o)));
  return w.finish();
}

function isErr(spec: ErrorSpec, id: string) {
  return (e: unknown) => isEcouteError(e, spec) && e.context.recordingId === id;
}

test('R-SEC-4: a spooled recording is sealed into the blob store and read back by range', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir } = vaultAt(tmp.path);
  const info = await record(vault, 'r1', 16_000 * 3 + 123);
  assert.equal(info.durationBytes, 48_123);
  assert.equal(info.interrupted, false);
  const blob = await readFile(join(dir, 'blobs', info.blobKey));
  assert.equal(createHash('sha256').update(blob).digest('hex'), info.sha256);
  assert.equal(blob.length, info.size);
  assert.equal(blob.indexOf(pattern(1000, 64)), -1, 'no plaintext in the sealed blob');
  assert.deepEqual(await readdir(join(dir, 'spool')), [], 'spool removed after sealing');
  assert.deepEqual(await vault.readRange('r1', 30_000, 30_500), pattern(30_000, 500));
  const reader = await vault.openReader('r1');
  assert.equal(reader.size, 48_123);
  assert.deepEqual(await reader.read(48_000, 48_123), pattern(48_000, 123));
  reader.close();
});

test('R-RET-4: after shred the recording is unreadable, even from a copy of its blob kept aside', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir, keyStore, blobs } = vaultAt(tmp.path);
  const info = await record(vault, 'doomed', 5000);
  await record(vault, 'kept', 5000);
  const backup = join(dir, 'backup.ecvt');
  await copyFile(join(dir, 'blobs', info.blobKey), backup);
  const open = await vault.openReader('doomed');

  const receipt = await vault.shred('doomed', { rule: 'R-RET-1', scope: 'audio' });
  assert.deepEqual(Object.keys(receipt).sort(), [
    'at',
    'blobDeleted',
    'keyDestroyed',
    'recordingId',
    'rule',
    'scope',
  ]);
  assert.equal(receipt.keyDestroyed, true);
  assert.equal(receipt.blobDeleted, true);
  await assert.rejects(open.read(0, 10), isErr(VaultErrors.KEY_MISSING, 'doomed'), 'open readers are closed');
  await assert.rejects(vault.readRange('doomed', 0, 10), isErr(VaultErrors.KEY_MISSING, 'doomed'));

  // Restore the backup copy: the master key is intact, yet no key left in the store opens it.
  await blobs.put(info.blobKey, await readFile(backup));
  await assert.rejects(vault.readRange('doomed', 0, 10), isErr(VaultErrors.KEY_MISSING, 'doomed'));
  const { keyRing } = vaultAt(tmp.path);
  const otherKey = await keyRing.dataKey('kept');
  const src = {
    size: (await stat(backup)).size,
    read: async (s: number, e: number) => (await readFile(backup)).subarray(s, e),
  };
  await assert.rejects(ContainerReader.open(src, otherKey, 'doomed'), isErr(VaultErrors.WRONG_KEY, 'doomed'));
  assert.equal(await keyStore.get('doomed'), undefined);
  assert.deepEqual(await vault.readRange('kept', 0, 100), pattern(0, 100), 'other recordings untouched');
});

test('R-RET-4: shredMany destroys a batch of keys (missing ones tolerated), aborts writers, closes readers, unlinks spools', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir, keyStore } = vaultAt(tmp.path);
  for (const id of ['m1', 'm2', 'm3', 'keep']) await record(vault, id, 3000);
  const reader = await vault.openReader('m2');
  const live = await vault.openSpool('m4', { format: FMT });
  live.append(pattern(0, 4000));
  await live.flush();
  assert.deepEqual(await readdir(join(dir, 'spool')), ['m4.spool']);
  // FileKeyStore: one call, keys that are already gone are no error and are not reported destroyed.
  assert.deepEqual([...(await keyStore.destroyMany(['m3', 'never']))], ['m3']);
  assert.deepEqual([...(await keyStore.destroyMany(['m3']))], []);

  const receipts = await vault.shredMany(['m1', 'm2', 'm3', 'm4', 'm1'], { rule: 'R-RET-1', scope: 'audio' });
  assert.deepEqual(
    receipts.map((r) => [r.recordingId, r.keyDestroyed, r.blobDeleted]),
    [
      ['m1', true, true],
      ['m2', true, true],
      ['m3', false, true], // its key was already gone: the receipt says so
      ['m4', false, true], // the aborted writer destroyed its key first, as `shred` always did
    ],
  );
  for (const id of ['m1', 'm2', 'm3', 'm4']) assert.equal(await keyStore.get(id), undefined);
  assert.deepEqual((await readdir(join(dir, 'blobs', 'recordings'))).sort(), ['keep.ecvt']);
  assert.deepEqual(await readdir(join(dir, 'spool')), [], 'the live spool is gone');
  await assert.rejects(reader.read(0, 10), isErr(VaultErrors.KEY_MISSING, 'm2'), 'open readers are closed');
  assert.throws(
    () => live.append(pattern(0, 10)),
    (e: unknown) => isEcouteError(e, VaultErrors.SPOOL_STATE),
  );
  assert.deepEqual(await vault.readRange('keep', 0, 100), pattern(0, 100), 'other recordings untouched');
});

test('R-CAL-2: aborting a spool (objection) destroys its key and its file', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir, keyStore } = vaultAt(tmp.path);
  const w = await vault.openSpool('obj', { format: FMT });
  w.append(pattern(0, 5000));
  await w.flush();
  await w.abort('objection');
  assert.equal(await keyStore.get('obj'), undefined);
  assert.deepEqual(await readdir(join(dir, 'spool')), []);
  assert.throws(
    () => w.append(pattern(0, 10)),
    (e: unknown) => isEcouteError(e, VaultErrors.SPOOL_STATE),
  );
});

test('R-SEC-4: master key rotation re-wraps every data key without touching audio', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, keyRing, keyStore, dir } = vaultAt(tmp.path);
  const infos = [await record(vault, 'a', 2000), await record(vault, 'b', 3000)];
  const next = new LocalMasterKey(Buffer.alloc(32, 9));
  const report = await keyRing.rotate(next);
  assert.deepEqual(report, { rewrapped: 2, alreadyCurrent: 0 });
  assert.deepEqual(await keyRing.rotate(next), { rewrapped: 0, alreadyCurrent: 2 }, 'resumable');
  for (const info of infos) {
    const blob = await readFile(join(dir, 'blobs', info.blobKey));
    assert.equal(createHash('sha256').update(blob).digest('hex'), info.sha256, 'audio untouched');
    assert.equal((await keyStore.get(info.recordingId))?.masterKeyId, next.id);
  }
  // Only the new master key is needed now.
  const fresh = new Vault({
    keyRing: new KeyRing({ current: next, keyStore }),
    keyStore,
    blobs: vaultAt(tmp.path).blobs,
    spoolDir: join(dir, 'spool'),
    clock: vaultAt(tmp.path).clock,
    log: silentLogger,
  });
  assert.deepEqual(await fresh.readRange('b', 2900, 3000), pattern(2900, 100));
  const oldOnly = new Vault({
    keyRing: new KeyRing({
      current: LocalMasterKey.fromBase64(Buffer.alloc(32, 7).toString('base64')),
      keyStore,
    }),
    keyStore,
    blobs: vaultAt(tmp.path).blobs,
    spoolDir: join(dir, 'spool'),
    clock: vaultAt(tmp.path).clock,
    log: silentLogger,
  });
  await assert.rejects(oldOnly.readRange('b', 0, 1), isErr(VaultErrors.UNWRAP, 'b'));
});

test('R-SEC-4: the master key file is created 0600 on first start and refused if readable by others', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const k1 = await loadLocalMasterKey({ masterKey: undefined, dataDir: tmp.path });
  const path = join(tmp.path, 'keys', 'master.key');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal(
    (await loadLocalMasterKey({ masterKey: undefined, dataDir: tmp.path })).id,
    k1.id,
    'stable across starts',
  );
  await chmod(path, 0o644);
  await assert.rejects(loadLocalMasterKey({ masterKey: undefined, dataDir: tmp.path }), (e: unknown) =>
    isEcouteError(e, VaultErrors.MASTER_KEY),
  );
  await assert.rejects(loadLocalMasterKey({ masterKey: 'c2hvcnQ=', dataDir: tmp.path }), (e: unknown) =>
    isEcouteError(e, VaultErrors.MASTER_KEY),
  );
});

test('R-SEC-4: recovery drops a torn last chunk and seals the rest as interrupted', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir } = vaultAt(tmp.path);
  const w = await vault.openSpool('crash', { format: FMT });
  w.append(pattern(0, 1600 * 4 + 700)); // 4 whole chunks, 700 bytes still buffered
  await w.flush();
  await appendFile(join(dir, 'spool', 'crash.spool'), Buffer.alloc(900, 0xaa)); // a torn write
  const after = vaultAt(tmp.path).vault; // "next start"
  const [rec] = await after.recoverSpools();
  assert.equal(rec?.outcome, 'sealed');
  assert.equal(rec.sealed?.interrupted, true);
  assert.equal(rec.sealed?.durationBytes, 6400);
  assert.equal(rec.droppedBytes, 900);
  assert.deepEqual(await after.readRange('crash', 0, 6400), pattern(0, 6400));
  assert.deepEqual(await after.recoverSpools(), [], 'nothing left to recover');
});

test('R-SEC-4: a corrupt, truncated or missing blob is a typed error naming the recording; verify reports each', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir, keyStore } = vaultAt(tmp.path);
  const ids = ['good', 'flip', 'cut', 'gone'];
  const infos = new Map<string, string>();
  for (const id of ids) infos.set(id, (await record(vault, id, 8000)).sha256);
  const file = (id: string) => join(dir, 'blobs', 'recordings', `${id}.ecvt`);
  const flip = await readFile(file('flip'));
  flip[200]! ^= 0x40;
  await writeFile(file('flip'), flip);
  await writeFile(file('cut'), (await readFile(file('cut'))).subarray(0, 3000));
  await writeFile(join(dir, 'blobs', 'recordings', 'stray.ecvt'), 'x');
  await (await import('node:fs/promises')).unlink(file('gone'));

  await assert.rejects(vault.readRange('flip', 0, 1000), isErr(VaultErrors.CORRUPT_CHUNK, 'flip'));
  await assert.rejects(vault.readRange('cut', 0, 10), isErr(VaultErrors.CORRUPT_CHUNK, 'cut'));
  await assert.rejects(vault.readRange('gone', 0, 10), isErr(VaultErrors.BLOB_MISSING, 'gone'));
  assert.deepEqual(await vault.readRange('good', 0, 10), pattern(0, 10));

  const report = await vault.verify({ expectedSha256: (id) => infos.get(id) });
  assert.deepEqual([...report.ok], ['good']);
  assert.deepEqual([...report.missing], ['gone']);
  assert.deepEqual(report.corrupt.map((c) => c.recordingId).sort(), ['cut', 'flip']);
  assert.deepEqual([...report.orphaned], ['recordings/stray.ecvt']);
  // Without stored hashes, decryption alone still finds the corruption.
  const bare = await vault.verify({ ids: ['flip', 'good'] });
  assert.deepEqual(
    bare.corrupt.map((c) => c.code),
    ['ECOUTE_VAULT_CORRUPT_CHUNK'],
  );
  void keyStore;
});
