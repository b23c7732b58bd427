import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { startSwift, type SwiftS3 } from '../../test/support/swift.ts';
import { isEcouteError } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { eachBounded } from './bounded.ts';
import { FsBlobStore } from './fs/fs.store.ts';
import { S3BlobStore } from './s3/s3.store.ts';
import { pattern, vaultAt } from './testing/vault.fixture.ts';
import type { BlobStore } from './vault.ports.ts';

async function* chunks(b: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield await Promise.resolve(b.subarray(i, i + size));
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out.sort();
}

/** One suite, every adapter (STYLE.md §10). */
function blobStoreSuite(name: string, make: () => Promise<{ store: BlobStore; dir: string } | undefined>) {
  describe(`BlobStore ${name}`, () => {
    let store: BlobStore | undefined;
    let dir = '';
    before(async () => {
      const made = await make();
      store = made?.store;
      dir = made?.dir ?? '';
    });

    test(`${name}: put, head, ranged get, list, delete`, async (t) => {
      if (!store) return t.skip('adapter unavailable');
      const body = randomBytes(100_000);
      await store.put('recordings/a.ecvt', body);
      await store.put('recordings/b.ecvt', chunks(body, 7000), body.length);
      await store.put('other/c.bin', new Uint8Array([1, 2, 3]));
      assert.deepEqual(await store.head('recordings/a.ecvt'), { size: 100_000 });
      assert.deepEqual(await store.head('recordings/b.ecvt'), { size: 100_000 });
      assert.equal(await store.head('recordings/none.ecvt'), undefined);
      assert.deepEqual(
        Buffer.from(await store.getRange('recordings/b.ecvt', 12_345, 54_321)),
        body.subarray(12_345, 54_321),
      );
      assert.deepEqual(
        Buffer.from(await store.getRange('recordings/a.ecvt', 99_990, 100_000)),
        body.subarray(99_990),
      );
      assert.deepEqual(await collect(store.list('recordings/')), ['recordings/a.ecvt', 'recordings/b.ecvt']);
      await store.put('recordings/a.ecvt', new Uint8Array([9]));
      assert.deepEqual(await store.head('recordings/a.ecvt'), { size: 1 }, 'put replaces');
      await store.delete('recordings/a.ecvt');
      await store.delete('recordings/a.ecvt');
      assert.equal(await store.head('recordings/a.ecvt'), undefined);
      await assert.rejects(store.getRange('recordings/a.ecvt', 0, 1), (e: unknown) =>
        isEcouteError(e, VaultErrors.BLOB_MISSING),
      );
      await assert.rejects(store.getRange('recordings/b.ecvt', 99_999, 100_001), (e: unknown) =>
        isEcouteError(e, VaultErrors.RANGE),
      );
    });

    test(`R-RET-4 (${name}): deleteMany removes 1,005 blobs (more than one S3 request), absent ones included`, async (t) => {
      if (!store) return t.skip('adapter unavailable');
      const s = store;
      const keys = Array.from({ length: 1005 }, (_, i) => `purge/${String(i).padStart(4, '0')}.ecvt`);
      await eachBounded(keys, 16, (k) => s.put(k, new Uint8Array([1, 2, 3])));
      await s.put('kept/other.ecvt', new Uint8Array([4]));
      assert.equal((await collect(s.list('purge/'))).length, 1005);
      const failed = await s.deleteMany([...keys, 'purge/absent-1.ecvt', 'purge/absent-2.ecvt']);
      assert.deepEqual([...failed.keys()], []);
      assert.deepEqual(await collect(s.list('purge/')), []);
      assert.equal(await s.head('purge/0000.ecvt'), undefined);
      assert.equal(await s.head('purge/1004.ecvt'), undefined);
      assert.deepEqual(await s.head('kept/other.ecvt'), { size: 1 }, 'only the keys named go');
      assert.deepEqual([...(await s.deleteMany([])).keys()], []);
    });

    test(`R-SEC-4, R-RET-4 (${name}): a recording sealed, read by range and shredded through this store`, async (t) => {
      if (!store) return t.skip('adapter unavailable');
      const { vault } = vaultAt(join(dir, 'vault'), { blobs: store });
      const w = await vault.openSpool('via', { format: 'pcmu/8000/2' });
      w.append(pattern(0, 40_000));
      const info = await w.finish();
      assert.equal((await store.head(info.blobKey))?.size, info.size);
      assert.deepEqual(await vault.readRange('via', 17_000, 23_000), pattern(17_000, 6000));
      const report = await vault.verify({ ids: ['via'], expectedSha256: () => info.sha256 });
      assert.deepEqual([...report.ok], ['via']);
      await vault.shred('via', { rule: 'R-RET-1', scope: 'audio' });
      assert.equal(await store.head(info.blobKey), undefined);
      await assert.rejects(vault.readRange('via', 0, 1), (e: unknown) =>
        isEcouteError(e, VaultErrors.KEY_MISSING),
      );
    });
  });
}

const fsTmp = tempDir();
after(fsTmp.remove);
blobStoreSuite('fs', () =>
  Promise.resolve({ store: new FsBlobStore(join(fsTmp.path, 'blobs')), dir: fsTmp.path }),
);

let swift: SwiftS3 | undefined;
let s3: S3BlobStore | undefined;
const s3Tmp = tempDir();
after(() => {
  s3?.close();
  swift?.stop();
  s3Tmp.remove();
});
blobStoreSuite('s3 (OpenStack Swift s3api)', async () => {
  swift = await startSwift();
  if (!swift) return undefined;
  s3 = new S3BlobStore({ ...swift, bucket: `ecoute-${randomBytes(4).toString('hex')}` });
  return { store: s3, dir: s3Tmp.path };
});
