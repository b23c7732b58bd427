import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DAY_MS } from '../clock.ts';
import { isEcouteError } from '../errors.ts';
import { forEachDialect } from '../db/testing.ts';
import { keyedHash } from '../db/keyed-hash.ts';
import { silentLogger } from '../log.ts';
import { readWav, channelOf, wavSamples } from '../media/wav.ts';
import { blobKeyOf } from '../vault/ids.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { HoldsService } from '../jobs/holds.service.ts';
import { makeWorld, NUMBER_KEY, type World } from '../jobs/testing/world.ts';
import { RightsErrors } from './errors.ts';
import { RightsService } from './rights.service.ts';
import { COMPLAINT_NOTICE } from './deadlines.ts';

const NUMBER = '+33 6 12 34 56 78';

/** Every text cell of every table, to prove a value is gone from the store. */
async function storeContains(w: World, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const tables = [
    'calls',
    'recordings',
    'dsr_requests',
    'shred_receipts',
    'analysis_documents',
    'access_log',
    'jobs',
    'org_settings',
  ];
  for (const t of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(t)}`.execute(w.db.kysely);
    for (const r of rows.rows) if (JSON.stringify(r).includes(needle)) hits.push(t);
  }
  return hits;
}

forEachDialect('data-subject rights', (h) => {
  const tmp = tempDir('ecoute-dsr-');
  let w: World;
  let rights: RightsService;
  before(() => {
    w = makeWorld(h.db, h.clock, tmp.path);
    rights = new RightsService({
      db: h.db,
      vault: w.vault,
      deletion: w.deletion,
      clock: h.clock,
      log: silentLogger,
      numberKey: NUMBER_KEY,
    });
  });
  after(tmp.remove);

  it('R-DSR-1 R-DSR-2 R-DSR-4 R-RET-4 R-CAL-4: record, access request, export, erasure, nothing left but receipts', async () => {
    await w.record({ id: 'c1', number: NUMBER, days: 90 });
    h.clock.advance(60_000);
    await w.record({ id: 'c2', number: '06.12.34.56.78', days: 90 });
    await w.record({ id: 'other', number: '+33 7 00 00 00 00', days: 90 });
    await h.db.analysis.insert({
      recordingId: 'c1',
      kind: 'evaluation',
      agentId: 'agent-1',
      evaluatorId: 'e1',
      content: { score: 3 },
      expiresAt: h.clock.now() + 300 * DAY_MS,
    });
    await h.db.accessLog.insert({
      seq: 1,
      prevHash: '0',
      hash: 'x1',
      at: h.clock.now(),
      actor: 'u-sup',
      role: 'supervisor',
      action: 'play',
      objectType: 'recording',
      objectId: 'c1',
      purpose: 'quality',
      result: 'allowed',
      sourceAddress: '127.0.0.1',
      detail: '{}',
    });

    const access = await rights.register({ kind: 'access', subject: { phoneNumber: NUMBER } });
    assert.equal(JSON.stringify(access).includes('12 34'), false, 'the number is kept only as a keyed hash');
    const found = await rights.find(access.id);
    assert.deepEqual(found.recordings.map((r) => r.id).sort(), ['c1', 'c2']);
    assert.equal(found.documents.length, 1);
    assert.equal(found.accessLog.length, 1);

    const zipPath = join(tmp.path, 'export.zip');
    const progress: number[] = [];
    const res = await rights.export(access.id, zipPath, (d) => progress.push(d));
    assert.deepEqual(progress, [1, 2]);
    const out = join(tmp.path, 'unzipped');
    execFileSync('unzip', ['-q', zipPath, '-d', out]);
    execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      files: { path: string; sha256: string }[];
    };
    for (const f of manifest.files)
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(out, f.path)))
          .digest('hex'),
        f.sha256,
        f.path,
      );
    assert.deepEqual(readdirSync(join(out, 'recordings')).sort(), ['c1.json', 'c1.wav', 'c2.json', 'c2.wav']);
    const wav = readWav(readFileSync(join(out, 'recordings', 'c1.wav')));
    assert.equal(wav.channels, 2);
    assert.equal(wav.sampleRate, 8000);
    const samples = wavSamples(wav);
    assert.equal(samples.length, 24_000);
    const zeroCrossings = (ch: Int16Array) =>
      ch.reduce((n, s, i) => (i > 0 && (ch[i - 1] ?? 0) < 0 && s >= 0 ? n + 1 : n), 0);
    assert.ok(
      Math.abs(zeroCrossings(channelOf(samples, 2, 0)) - 660) <= 3,
      'agent channel is the 440 Hz tone (1.5 s)',
    );
    assert.ok(
      Math.abs(zeroCrossings(channelOf(samples, 2, 1)) - 990) <= 3,
      'customer channel is the 660 Hz tone',
    );
    assert.match(readFileSync(join(out, 'summary.fr.txt'), 'utf8'), /Enregistrement c1/);
    assert.match(readFileSync(join(out, 'summary.en.txt'), 'utf8'), /Recording c2/);
    assert.equal(JSON.parse(readFileSync(join(out, 'access-log.json'), 'utf8')).length, 1);
    assert.ok(res.bytes > 0);
    await rights.close(access.id, 'export sent');

    const erase = await rights.register({ kind: 'erasure', subject: { phoneNumber: NUMBER } });
    const er = await rights.erase(erase.id, { addToOppositionList: true });
    assert.deepEqual(er.kept, []);
    assert.equal(er.receipts.filter((r) => r.kind === 'recording').length, 2);
    assert.equal(er.receipts.filter((r) => r.kind === 'analysis_document').length, 1);
    for (const id of ['c1', 'c2']) {
      assert.equal(await h.db.dataKeys.get(id), undefined, 'no key');
      assert.equal(await w.blobs.head(blobKeyOf(id)), undefined, 'no blob');
      assert.equal(existsSync(join(w.blobDir, blobKeyOf(id))), false);
      assert.equal((await h.db.shredReceipts.forObject(id))[0]?.rule, 'R-DSR-4');
    }
    const hash = keyedHash(NUMBER, NUMBER_KEY) ?? '';
    assert.equal(await h.db.opposition.has(hash), true, 'R-CAL-4: on the opposition list by keyed hash');
    assert.deepEqual(
      [...new Set(await storeContains(w, hash))],
      ['dsr_requests'],
      'the hash survives only in the request records',
    );
    assert.equal((await h.db.calls.get('call-c1'))?.customerNumberEnc, undefined, 'no encrypted number left');
    assert.equal((await h.db.dataKeys.get('other')) !== undefined, true, 'someone else is untouched');
    assert.deepEqual((await rights.find(erase.id)).recordings, []);
  });

  it('R-DSR-4: a compelling ground or a legal hold keeps the recording; R-DSR-3: refusal names the CNIL', async () => {
    await w.record({ id: 'g1', customerId: 'CUST-42', days: 90 });
    await w.record({ id: 'g2', customerId: 'CUST-42', days: 90 });
    const holds = new HoldsService({ db: h.db, clock: h.clock });
    await holds.create(
      { reason: 'Litige', owner: 'legal', reviewAt: h.clock.now() + 30 * DAY_MS, createdBy: 'dpo' },
      ['g2'],
    );
    const ground = await rights.register({ kind: 'objection', subject: { customerId: 'CUST-42' } });
    const kept = await rights.erase(ground.id, {
      compellingGround: 'Preuve d’un contrat contesté en justice',
    });
    assert.equal(kept.kept.length, 2);
    assert.ok((await h.db.dataKeys.get('g1')) !== undefined);
    const second = await rights.register({ kind: 'erasure', subject: { customerId: 'CUST-42' } });
    const res = await rights.erase(second.id);
    assert.deepEqual(
      res.kept.map((k) => k.recordingId),
      ['g2'],
    );
    assert.match(res.kept[0]?.reason ?? '', /^R-RET-6/);
    assert.equal(await h.db.dataKeys.get('g1'), undefined);

    const refused = await rights.register({ kind: 'access', subject: { agentId: 'agent-9' } });
    await assert.rejects(rights.refuse(refused.id, 'no'), (e) =>
      isEcouteError(e, RightsErrors.REFUSAL_INCOMPLETE),
    );
    const done = await rights.refuse(refused.id, 'Demande manifestement infondée (art. 12.5)');
    assert.equal(done.state, 'refused');
    assert.ok(done.outcome?.includes(COMPLAINT_NOTICE.fr));
    await assert.rejects(rights.close(refused.id, 'x'), (e) => isEcouteError(e, RightsErrors.CLOSED));
  });

  it('R-DSR-3: deadline tracked, extension only with reason and notice in time; R-DSR-1: agent id and date range', async () => {
    const received = h.clock.now();
    const r = await rights.register({
      kind: 'access',
      subject: { agentId: 'agent-7', from: received, to: received + DAY_MS },
    });
    assert.equal(r.dueAt, new Date(received).setUTCMonth(new Date(received).getUTCMonth() + 1));
    await assert.rejects(
      rights.extend(r.id, { reason: 'Volume exceptionnel', noticeSentAt: undefined }),
      (e) => isEcouteError(e, RightsErrors.EXTENSION_REFUSED),
    );
    const ext = await rights.extend(r.id, { reason: 'Volume exceptionnel', noticeSentAt: received + DAY_MS });
    assert.equal(ext.state, 'extended');
    assert.ok(ext.deadline > ext.dueAt);
    await w.record({ id: 'a7', agentId: 'agent-7', days: 90 });
    h.clock.advanceDays(2);
    await w.record({ id: 'a7late', agentId: 'agent-7', days: 90 });
    assert.deepEqual(
      (await rights.find(r.id)).recordings.map((x) => x.id),
      ['a7'],
    );
    h.clock.advanceDays(120);
    assert.equal((await rights.get(r.id)).overdue, true);
    assert.ok((await rights.list({ open: true })).some((x) => x.id === r.id));
  });

  it('R-DSR-4: rectification of metadata and analysis documents, never of a write-once recording', async () => {
    await w.record({ id: 'rx', customerId: 'CUST-7', days: 90 });
    await w.record({ id: 'wo', customerId: 'CUST-7', days: 900, writeOnce: true });
    const doc = await h.db.analysis.insert({
      recordingId: 'rx',
      kind: 'evaluation',
      agentId: 'agent-1',
      evaluatorId: 'e',
      content: { score: 1 },
      expiresAt: h.clock.now() + DAY_MS * 300,
    });
    const req = await rights.register({ kind: 'rectification', subject: { customerId: 'CUST-7' } });
    await rights.rectify(req.id, { recordingId: 'rx', fields: { queue: 'sales' } });
    assert.equal((await h.db.recordings.mustGet('rx')).queue, 'sales');
    await rights.rectify(req.id, { documentId: doc.id, content: { score: 2 } });
    assert.deepEqual((await h.db.analysis.get(doc.id))?.content, { score: 2 });
    await assert.rejects(
      rights.rectify(req.id, { recordingId: 'wo', fields: { queue: 'x' } }),
      (e) => isEcouteError(e) && e.rule === 'R-RET-3',
    );
    await assert.rejects(rights.register({ kind: 'access', subject: {} }), (e) =>
      isEcouteError(e, RightsErrors.NO_IDENTIFIER),
    );
  });
});
