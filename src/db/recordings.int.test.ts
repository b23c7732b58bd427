import { it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../clock.ts';
import { isEcouteError } from '../errors.ts';
import type { KeyStore } from '../vault/vault.ports.ts';
import { DbErrors } from './errors.ts';
import type { NewRecording } from './recordings.repo.ts';
import { forEachDialect } from './testing.ts';

const T0 = Date.UTC(2026, 10, 2, 9);

const rec = (id: string, over: Partial<NewRecording> = {}): NewRecording => ({
  id,
  callId: `call-${id}`,
  policyId: 'quality',
  policyVersion: 1,
  purposes: ['quality'],
  startedAt: T0,
  direction: 'inbound',
  agentId: 'a-1',
  team: 'north',
  queue: 'sales',
  customerHash: 'h-1',
  ...over,
});

const seal = (expiresAt: number, audioExpiresAt?: number) => ({
  endedAt: T0 + 60_000,
  durationMs: 60_000,
  segments: [
    { kind: 'recorded' as const, startMs: 0, endMs: 20_000 },
    { kind: 'paused' as const, startMs: 20_000, endMs: 30_000 },
    { kind: 'recorded' as const, startMs: 30_000, endMs: 60_000 },
  ],
  codec: 'opus/ogg',
  sizeBytes: 123_456,
  sha256: 'ab'.repeat(32),
  blobKey: 'recordings/x.ecvt',
  expiresAt,
  audioExpiresAt,
});

forEachDialect('recordings', (h) => {
  it('inserts, seals once, and reads back every field with the same types', async () => {
    const r = await h.db.recordings.insert(rec('r-1'));
    assert.equal(r.state, 'recording');
    assert.deepEqual(r.channels, [
      { index: 0, role: 'agent' },
      { index: 1, role: 'customer' },
    ]);
    const s = await h.db.recordings.setSealed('r-1', seal(T0 + 183 * DAY_MS, T0 + 30 * DAY_MS));
    assert.equal(s.state, 'sealed');
    assert.equal(s.sizeBytes, 123_456);
    assert.equal(s.expiresAt, T0 + 183 * DAY_MS);
    assert.equal(s.segments.length, 3);
    assert.deepEqual(s.purposes, ['quality']);
    assert.ok(
      isEcouteError(
        await h.db.recordings.setSealed('r-1', seal(1)).catch((e: unknown) => e),
        DbErrors.CONFLICT,
      ),
    );
  });

  it('search filters by team scope, agent, queue, policy, state, customer hash and pages newest first', async () => {
    for (let i = 0; i < 7; i++)
      await h.db.recordings.insert(
        rec(`s-${i}`, {
          startedAt: T0 + i * 1000,
          team: i % 2 ? 'south' : 'north',
          agentId: `agent-${i % 3}`,
          customerHash: i === 4 ? 'h-target' : 'h-other',
          policyId: i < 2 ? 'training' : 'quality',
        }),
      );
    const all = await h.db.recordings.search({ from: T0, to: T0 + 10_000, callId: undefined }, { limit: 3 });
    assert.equal(all.items.length, 3);
    const ids: string[] = [...all.items.map((r) => r.id)];
    let next = all.next;
    while (next) {
      const p = await h.db.recordings.search({ from: T0, to: T0 + 10_000 }, { limit: 3, after: next });
      ids.push(...p.items.map((r) => r.id));
      next = p.next;
    }
    assert.ok(ids.indexOf('s-6') < ids.indexOf('s-0'), 'newest first');
    assert.equal(ids.filter((i) => i.startsWith('s-')).length, 7);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate across pages');
    const south = await h.db.recordings.search({ teams: ['south'] });
    assert.deepEqual(
      south.items.map((r) => r.id),
      ['s-5', 's-3', 's-1'],
    );
    assert.equal((await h.db.recordings.search({ teams: [] })).items.length, 0, 'R-MIN-3: no scope, nothing');
    assert.deepEqual(
      (await h.db.recordings.search({ customerHash: 'h-target' })).items.map((r) => r.id),
      ['s-4'],
    );
    assert.deepEqual(
      (await h.db.recordings.search({ policyId: 'training' })).items.map((r) => r.id),
      ['s-1', 's-0'],
    );
    assert.deepEqual(
      (await h.db.recordings.search({ agentId: 'agent-2', teams: ['north', 'south'] })).items.map(
        (r) => r.id,
      ),
      ['s-5', 's-2'],
    );
    assert.equal((await h.db.recordings.search({ states: ['sealed'], from: T0 + 1 })).items.length, 0);
  });

  it('R-RET-1: listExpiring returns recordings past expiresAt, not held, not shredded', async () => {
    await h.db.recordings.insert(rec('e-1'));
    await h.db.recordings.setSealed('e-1', seal(T0 + DAY_MS));
    await h.db.recordings.insert(rec('e-2'));
    await h.db.recordings.setSealed('e-2', seal(T0 + DAY_MS));
    const hold = await h.db.legalHolds.create({
      reason: 'litigation 42',
      owner: 'dpo',
      reviewAt: T0 + 90 * DAY_MS,
      createdBy: 'dpo',
    });
    await h.db.recordings.setHold('e-2', hold.id);
    const due = await h.db.recordings.listExpiring(T0 + DAY_MS);
    assert.ok(due.some((r) => r.id === 'e-1'));
    assert.ok(!due.some((r) => r.id === 'e-2'), 'R-RET-6: held recordings are not purged');
    assert.ok(!(await h.db.recordings.listExpiring(T0 + DAY_MS - 1)).some((r) => r.id === 'e-1'));
    await h.db.recordings.markShredded('e-1');
    assert.ok(!(await h.db.recordings.listExpiring(T0 + DAY_MS)).some((r) => r.id === 'e-1'));
    await h.db.legalHolds.release(hold.id, 'dpo');
    assert.ok(
      (await h.db.recordings.listExpiring(T0 + DAY_MS)).some((r) => r.id === 'e-2'),
      'released hold',
    );
  });

  it('R-RET-5: listAudioExpiring finds the review window; clearAudio keeps the metadata', async () => {
    await h.db.recordings.insert(rec('w-1'));
    await h.db.recordings.setSealed('w-1', seal(T0 + 183 * DAY_MS, T0 + 7 * DAY_MS));
    assert.ok((await h.db.recordings.listAudioExpiring(T0 + 7 * DAY_MS)).some((r) => r.id === 'w-1'));
    await h.db.recordings.clearAudio('w-1');
    assert.ok(!(await h.db.recordings.listAudioExpiring(T0 + 7 * DAY_MS)).some((r) => r.id === 'w-1'));
    const kept = await h.db.recordings.get('w-1');
    assert.equal(kept?.blobKey, undefined);
    assert.equal(kept?.state, 'sealed');
  });

  it('R-RET-3: a sealed write-once recording cannot be shredded or changed before it expires', async () => {
    h.clock.set(T0);
    await h.db.recordings.insert(rec('wo-1', { writeOnce: true, policyId: 'mifid' }));
    await h.db.recordings.setSealed('wo-1', seal(T0 + 5 * 365 * DAY_MS));
    for (const attempt of [
      () => h.db.recordings.markShredded('wo-1'),
      () => h.db.recordings.updateState('wo-1', 'objected'),
      () => h.db.recordings.clearAudio('wo-1'),
    ]) {
      const e = await attempt().then(
        () => undefined,
        (err: unknown) => err,
      );
      assert.ok(isEcouteError(e, DbErrors.WRITE_ONCE));
      assert.equal(e.rule, 'R-RET-3');
    }
    h.clock.set(T0 + 5 * 365 * DAY_MS);
    await h.db.recordings.markShredded('wo-1');
    assert.equal((await h.db.recordings.get('wo-1'))?.state, 'shredded');
  });

  it('updateState with `from` is conditional', async () => {
    await h.db.recordings.insert(rec('st-1'));
    assert.equal(await h.db.recordings.updateState('st-1', 'paused', ['recording']), true);
    assert.equal(await h.db.recordings.updateState('st-1', 'paused', ['recording']), false);
    assert.equal(await h.db.recordings.updateState('st-1', 'recording', ['paused']), true);
    assert.ok(
      isEcouteError(
        await h.db.recordings.updateState('nope', 'sealed').catch((e: unknown) => e),
        DbErrors.NOT_FOUND,
      ),
    );
  });

  it('R-RET-1: markFailed ends a never-spooled recording without its customer hash, expiring, only once', async () => {
    await h.db.recordings.insert(rec('fl-1'));
    const endedAt = T0 + 1000;
    assert.equal(await h.db.recordings.markFailed('fl-1', { endedAt, expiresAt: T0 + 30 * DAY_MS }), true);
    const r = await h.db.recordings.get('fl-1');
    assert.equal(r?.state, 'failed');
    assert.equal(r?.endedAt, endedAt);
    assert.equal(r?.customerHash, undefined);
    assert.deepEqual(
      (await h.db.recordings.listExpiring(T0 + 30 * DAY_MS)).map((x) => x.id).filter((id) => id === 'fl-1'),
      ['fl-1'],
      'the retention job finds it at its expiry',
    );
    assert.equal(await h.db.recordings.markFailed('fl-1', { endedAt, expiresAt: 1 }), false, 'not twice');
    await h.db.recordings.insert(rec('fl-2'));
    await h.db.recordings.setSealed('fl-2', seal(T0 + DAY_MS));
    assert.equal(
      await h.db.recordings.markFailed('fl-2', { endedAt, expiresAt: 1 }),
      false,
      'never a sealed one',
    );
    assert.equal((await h.db.recordings.get('fl-2'))?.state, 'sealed');
  });

  it('R-SEC-4 / R-RET-4: dataKeys satisfies the vault KeyStore port: put, get, replace, list, destroy', async () => {
    const ks: KeyStore = h.db.dataKeys;
    const wrapped = new Uint8Array([1, 2, 3, 250]);
    await ks.put('k-1', wrapped, 'mk-1');
    await ks.put('k-2', new Uint8Array([9]), 'mk-1');
    await ks.put('k-3', new Uint8Array([7]), 'mk-2');
    assert.ok(
      isEcouteError(await ks.put('k-1', wrapped, 'mk-1').catch((e: unknown) => e), DbErrors.CONFLICT),
    );
    const got = await ks.get('k-1');
    assert.deepEqual(got && { w: [...got.wrapped], m: got.masterKeyId }, { w: [1, 2, 3, 250], m: 'mk-1' });
    const ids: string[] = [];
    for await (const id of ks.listIds('mk-1')) ids.push(id);
    assert.deepEqual(ids, ['k-1', 'k-2']);
    await ks.replace('k-1', new Uint8Array([4, 4]), 'mk-2');
    assert.equal((await ks.get('k-1'))?.masterKeyId, 'mk-2');
    assert.ok(
      isEcouteError(await ks.replace('absent', wrapped, 'mk-2').catch((e: unknown) => e), DbErrors.NOT_FOUND),
    );
    assert.equal(await ks.destroy('k-1'), true);
    assert.equal(await ks.get('k-1'), undefined);
    assert.equal(await ks.destroy('k-1'), false);
  });

  it('R-RET-4: a shred receipt holds id, time, rule and scope, and no content', async () => {
    h.clock.set(T0);
    const r = await h.db.shredReceipts.add({
      objectId: 'r-9',
      kind: 'recording',
      rule: 'R-RET-1',
      scope: { key: true, blob: true },
    });
    const [back] = await h.db.shredReceipts.forObject('r-9');
    assert.deepEqual(back, r);
    assert.equal(back?.at, T0);
    assert.deepEqual(Object.keys(back ?? {}).sort(), ['at', 'id', 'kind', 'objectId', 'rule', 'scope']);
  });
});
