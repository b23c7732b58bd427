import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DAY_MS } from '../clock.ts';
import { DbErrors } from '../db/errors.ts';
import type { ShredReceipt } from '../db/shred-receipts.repo.ts';
import { forEachDialect, type DialectHarness } from '../db/testing.ts';
import { isEcouteError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import { FsBlobStore } from '../vault/fs/fs.store.ts';
import { blobKeyOf } from '../vault/ids.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { HoldsService } from './holds.service.ts';
import { runRetention } from './retention.job.ts';
import { seedExpired } from './testing/seed.ts';
import { makeWorld, type World } from './testing/world.ts';

/** The filesystem blob store, with a hook run when a purge deletes its blobs (keys already destroyed). */
class WatchedBlobs extends FsBlobStore {
  onDeleteMany: (() => Promise<void>) | undefined;
  override async deleteMany(keys: readonly string[]) {
    await this.onDeleteMany?.();
    return super.deleteMany(keys);
  }
}

/** A file even root cannot unlink (ext4/xfs immutable flag); false where the flag is unavailable. */
function makeImmutable(path: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function inChunks<T>(ids: readonly string[], f: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let at = 0; at < ids.length; at += 400) out.push(...(await f(ids.slice(at, at + 400))));
  return out;
}

interface Fate {
  readonly key: boolean;
  readonly blob: boolean;
  readonly state: string;
  readonly held: string | null;
  readonly receipts: readonly ShredReceipt[];
}

/** Each recording's fate in the store: key, blob, row state and hold, receipts. */
async function fates(h: DialectHarness, w: World, ids: readonly string[]): Promise<Map<string, Fate>> {
  const k = h.db.kysely;
  const keys = new Set(
    (
      await inChunks(ids, (s) =>
        k.selectFrom('dataKeys').select('recordingId').where('recordingId', 'in', s).execute(),
      )
    ).map((r) => r.recordingId),
  );
  const rows = await inChunks(ids, (s) =>
    k.selectFrom('recordings').select(['id', 'state', 'legalHoldId']).where('id', 'in', s).execute(),
  );
  const receipts = new Map<string, ShredReceipt[]>();
  for (const r of await h.db.shredReceipts.list({}, 100_000))
    receipts.set(r.objectId, [...(receipts.get(r.objectId) ?? []), r]);
  const blobs = new Set<string>();
  for await (const key of w.blobs.list('recordings/')) blobs.add(key);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        key: keys.has(r.id),
        blob: blobs.has(blobKeyOf(r.id)),
        state: r.state,
        held: r.legalHoldId,
        receipts: receipts.get(r.id) ?? [],
      },
    ]),
  );
}

/** What is left of these recordings in the store, counted: keys, blobs, shredded rows, numbers, receipts. */
async function left(h: DialectHarness, w: World, ids: readonly string[]) {
  const all = [...(await fates(h, w, ids)).values()];
  const count = (f: (x: Fate) => boolean) => all.filter(f).length;
  const hashes = await inChunks(ids, (s) =>
    h.db.kysely
      .selectFrom('recordings')
      .select('id')
      .where('id', 'in', s)
      .where('customerHash', 'is not', null)
      .execute(),
  );
  const numbers = await inChunks(ids, (s) =>
    h.db.kysely
      .selectFrom('calls')
      .select('id')
      .where(
        'id',
        'in',
        s.map((id) => `call-${id}`),
      )
      .where('customerHash', 'is not', null)
      .execute(),
  );
  return {
    keys: count((x) => x.key),
    blobs: count((x) => x.blob),
    shredded: count((x) => x.state === 'shredded'),
    customerHashes: hashes.length,
    numbers: numbers.length,
    receipts: all.flatMap((x) => x.receipts),
  };
}

const FULL = { key: true, blob: true, transcripts: true, analytics: true };

forEachDialect('batch deletion', (h) => {
  const tmp = tempDir('ecoute-purge-');
  const blobs = new WatchedBlobs(join(tmp.path, 'blobs'));
  let w: World;
  let holds: HoldsService;
  const retention = (batchSize: number) =>
    runRetention({ db: h.db, deletion: w.deletion, clock: h.clock, log: silentLogger, batchSize });
  const newHold = () =>
    holds.create({
      reason: 'Litige n°7',
      owner: 'dpo',
      reviewAt: h.clock.now() + 30 * DAY_MS,
      createdBy: 'dpo',
    });

  before(() => {
    w = makeWorld(h.db, h.clock, tmp.path, { blobs });
    holds = new HoldsService({ db: h.db, clock: h.clock });
  });
  after(tmp.remove);

  it('R-RET-4 R-RET-1 R-RET-3 R-RET-6: 1,200 expired recordings purged in batches of 500: keys gone from the table, blobs gone, one receipt each; held and write-once untouched', async () => {
    await w.record({ id: 'bh-held', number: '06 11 22 33 44', days: 1 });
    await w.record({ id: 'bh-sector-due', days: 1, writeOnce: true, purposes: ['legal_obligation'] });
    await w.record({ id: 'bh-sector-kept', days: 3650, writeOnce: true, purposes: ['legal_obligation'] });
    const hold = await newHold();
    await holds.attach(hold.id, ['bh-held']);
    h.clock.advanceDays(2);
    const ids = await seedExpired(h.db, w.blobs, { n: 1200, now: h.clock.now() });
    const announced = w.deleted.length;

    const report = await retention(500);
    assert.equal(report.recordingsShredded, 1201, '1,200 seeded + the write-once one past its expiry');
    assert.equal(report.failures, 0);
    assert.equal(report.skipped, 0);
    assert.equal(report.heldPastDate, 1);

    const gone = await left(h, w, ids);
    assert.deepEqual(
      {
        keys: gone.keys,
        blobs: gone.blobs,
        shredded: gone.shredded,
        hashes: gone.customerHashes,
        numbers: gone.numbers,
      },
      { keys: 0, blobs: 0, shredded: 1200, hashes: 0, numbers: 0 },
    );
    assert.equal(gone.receipts.length, 1200, 'one receipt per recording');
    for (const r of gone.receipts) {
      assert.equal(r.kind, 'recording');
      assert.equal(r.rule, 'R-RET-1');
      assert.deepEqual(r.scope, FULL);
    }
    assert.equal(w.deleted.length - announced, 1201, 'onDeleted fired for every recording');
    const sector = await h.db.shredReceipts.forObject('bh-sector-due');
    assert.deepEqual(
      sector.map((r) => [r.kind, r.rule, r.scope]),
      [['recording', 'R-RET-3', FULL]],
    );
    for (const id of ['bh-held', 'bh-sector-kept']) {
      const kept = await left(h, w, [id]);
      assert.deepEqual([kept.keys, kept.blobs, kept.shredded, kept.receipts.length], [1, 1, 0, 0], id);
    }
    assert.deepEqual((await h.db.recordings.mustGet('bh-held')).legalHoldId, hold.id);
    await holds.release(hold.id, 'dpo');
    assert.equal((await retention(500)).recordingsShredded, 1, 'released: the next run deletes it');
  });

  it('R-RET-3 R-RET-6: the batch skips held and write-once recordings, and re-checks in the store a hold that landed after the listing', async () => {
    const ids = await seedExpired(h.db, w.blobs, { n: 6, now: h.clock.now() });
    await w.record({ id: 'sk-sector', days: 3650, writeOnce: true, purposes: ['legal_obligation'] });
    const early = await newHold();
    await holds.attach(early.id, [ids[1] as string]);
    const listed = await Promise.all([...ids, 'sk-sector'].map((id) => h.db.recordings.mustGet(id)));
    // The hold lands between the listing and the deletion: the listed copy still says "not held".
    const late = await newHold();
    await holds.attach(late.id, [ids[0] as string]);

    const out = await w.deletion.shredRecordings(listed, { rule: 'R-RET-1' });
    assert.deepEqual(
      [...out.skipped].sort(),
      [
        [ids[0], 'changed'],
        [ids[1], 'held'],
        ['sk-sector', 'write_once'],
      ].sort(),
    );
    assert.deepEqual(out.receipts.map((r) => r.objectId).sort(), ids.slice(2).sort());
    for (const id of [ids[0], ids[1], 'sk-sector'] as string[]) {
      const kept = await left(h, w, [id]);
      assert.deepEqual([kept.keys, kept.blobs, kept.shredded, kept.receipts.length], [1, 1, 0, 0], id);
    }
    assert.deepEqual(await left(h, w, ids.slice(2)).then((g) => [g.keys, g.blobs, g.shredded]), [0, 0, 4]);
  });

  it('R-RET-6: a hold attempted while its batch is being shredded is refused; the claim ends with the batch', async () => {
    const ids = await seedExpired(h.db, w.blobs, { n: 5, now: h.clock.now() });
    await w.record({ id: 'cl-review', days: 183, reviewDays: 7 });
    const hold = await newHold();
    const refused: unknown[] = [];
    let holdNow = '';
    blobs.onDeleteMany = async () => {
      // Keys are destroyed at this point; the rows are not marked yet.
      await holds.attach(hold.id, [holdNow]).catch((e: unknown) => refused.push(e));
    };
    try {
      const listed = await Promise.all(ids.map((id) => h.db.recordings.mustGet(id)));
      holdNow = ids[2] as string;
      assert.equal((await w.deletion.shredRecordings(listed, { rule: 'R-RET-1' })).receipts.length, 5);
      h.clock.advanceDays(8);
      const review = await h.db.recordings.mustGet('cl-review');
      holdNow = 'cl-review';
      const audio = await w.deletion.shredRecordings([review], { rule: 'R-RET-5', what: 'audio' });
      assert.deepEqual(
        audio.receipts.map((r) => [r.objectId, r.kind]),
        [['cl-review', 'audio']],
      );
    } finally {
      blobs.onDeleteMany = undefined;
    }
    assert.equal(refused.length, 2, 'one refusal per batch');
    for (const e of refused) assert.ok(isEcouteError(e, DbErrors.CONFLICT), String(e));
    const shredded = await h.db.recordings.mustGet(ids[2] as string);
    assert.deepEqual([shredded.state, shredded.legalHoldId], ['shredded', undefined]);
    // R-RET-5: the row outlives its audio; once the audio batch is done, a hold may keep the metadata.
    await holds.attach(hold.id, ['cl-review']);
    const kept = await h.db.recordings.mustGet('cl-review');
    assert.deepEqual([kept.state, kept.blobKey, kept.legalHoldId], ['sealed', undefined, hold.id]);
  });

  it('R-RET-6: holds attached while the purge runs: each either keeps its recording whole or is refused', async () => {
    const ids = await seedExpired(h.db, w.blobs, { n: 300, now: h.clock.now() });
    const hold = await newHold();
    const target = ids.filter((_, i) => i % 6 === 0);
    const outcome = new Map<string, 'held' | 'refused'>();
    await Promise.all([
      retention(50),
      (async () => {
        for (const id of target) {
          await h.db.recordings.setHold(id, hold.id).then(
            () => outcome.set(id, 'held'),
            (e: unknown) => {
              assert.ok(isEcouteError(e, DbErrors.CONFLICT), String(e));
              outcome.set(id, 'refused');
            },
          );
        }
      })(),
    ]);
    assert.equal(outcome.size, target.length);
    const all = await fates(h, w, ids);
    for (const [id, f] of all) {
      const g = [f.key, f.blob, f.receipts.length];
      if (f.state === 'shredded') assert.deepEqual(g, [false, false, 1], `${id} shredded completely`);
      else {
        assert.deepEqual(g, [true, true, 0], `${id} kept whole`);
        assert.equal(f.held, hold.id, `${id} is kept only by its hold`);
      }
      if (outcome.get(id) === 'refused') assert.equal(f.state, 'shredded', `${id}: refused hold, deleted`);
      // Accepted before the claim (the purge skips it) or after the row was marked (it stays on the row).
      if (outcome.get(id) === 'held') assert.equal(f.held, hold.id, `${id}: accepted hold kept`);
    }
  });

  it('R-RET-4: a blob that cannot be deleted fails nothing: its receipt says blob false and verify reports it orphaned', async (t) => {
    const ids = await seedExpired(h.db, w.blobs, { n: 5, now: h.clock.now() });
    const stuck = join(w.blobDir, blobKeyOf(ids[3] as string));
    if (!makeImmutable(stuck, true)) {
      process.stderr.write(
        '\nNOTICE: chattr +i unavailable (not root, or no ext4/xfs): blob failure test SKIPPED.\n\n',
      );
      t.skip('chattr unavailable');
      return;
    }
    try {
      const report = await retention(500);
      assert.equal(report.failures, 0);
      assert.equal(report.recordingsShredded, 5);
    } finally {
      makeImmutable(stuck, false);
    }
    const g = await left(h, w, ids);
    assert.deepEqual([g.keys, g.shredded, g.blobs], [0, 5, 1]);
    for (const r of g.receipts)
      assert.deepEqual(r.scope, { ...FULL, blob: r.objectId !== ids[3] }, r.objectId);
    assert.ok((await w.vault.verify()).orphaned.includes(blobKeyOf(ids[3] as string)));
    await w.blobs.delete(blobKeyOf(ids[3] as string));
  });

  it('R-RET-4: a purge interrupted between the key deletion and its transaction converges on the next run', async () => {
    const ids = await seedExpired(h.db, w.blobs, { n: 30, now: h.clock.now() });
    const hold = await newHold();
    // The transaction fails for real (its receipts table is gone) after the keys were destroyed.
    await sql`alter table shred_receipts rename to shred_receipts_away`.execute(h.db.kysely);
    let first;
    try {
      first = await retention(10);
    } finally {
      await sql`alter table shred_receipts_away rename to shred_receipts`.execute(h.db.kysely);
    }
    assert.deepEqual([first.recordingsShredded, first.failures], [0, 30]);
    let g = await left(h, w, ids);
    assert.deepEqual(
      [g.keys, g.blobs, g.shredded, g.receipts.length],
      [0, 0, 0, 0],
      'keys gone, rows not marked',
    );
    // Still claimed: no hold can land on a recording whose key is already gone.
    await assert.rejects(holds.attach(hold.id, [ids[0] as string]), (e) =>
      isEcouteError(e, DbErrors.CONFLICT),
    );

    const second = await retention(10);
    assert.deepEqual([second.recordingsShredded, second.failures], [30, 0]);
    g = await left(h, w, ids);
    assert.deepEqual([g.keys, g.blobs, g.shredded, g.numbers], [0, 0, 30, 0]);
    assert.equal(g.receipts.length, 30);
    // Truthful: this run destroyed no key (the interrupted one did); the blobs are gone.
    for (const r of g.receipts) assert.deepEqual(r.scope, { ...FULL, key: false });
    assert.equal((await retention(10)).recordingsShredded, 0, 'nothing left');
  });

  it('R-RET-1: listExpiring pages after the last one listed, by (expiresAt, id): ties neither repeated nor skipped', async () => {
    const ids = await seedExpired(h.db, w.blobs, { n: 25, now: h.clock.now() });
    const at = h.clock.now() - DAY_MS;
    await h.db.kysely
      .updateTable('recordings')
      .set({ expiresAt: at })
      .where('id', 'in', ids.slice(5))
      .execute();
    const seen: string[] = [];
    let after;
    for (;;) {
      const page = await h.db.recordings.listExpiring(h.clock.now(), 7, after);
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.id));
      after = page[page.length - 1];
    }
    const mine = seen.filter((id) => ids.includes(id));
    assert.equal(new Set(seen).size, seen.length, 'no recording listed twice');
    assert.deepEqual([...mine].sort(), [...ids].sort(), 'every due recording listed');
    assert.deepEqual(mine.slice(5), ids.slice(5).sort(), 'ties ordered by id');
    await retention(500);
  });

  it('R-RET-4: dataKeys.destroyMany deletes a batch in one statement and tolerates absent keys', async () => {
    for (const id of ['dk-1', 'dk-2', 'dk-3']) await h.db.dataKeys.put(id, new Uint8Array([1, 2]), 'mk');
    assert.deepEqual([...(await h.db.dataKeys.destroyMany(['dk-1', 'dk-3', 'dk-none']))].sort(), [
      'dk-1',
      'dk-3',
    ]);
    assert.deepEqual([...(await h.db.dataKeys.destroyMany(['dk-1']))], []);
    assert.deepEqual([...(await h.db.dataKeys.destroyMany([]))], []);
    assert.notEqual(await h.db.dataKeys.get('dk-2'), undefined);
  });
});
