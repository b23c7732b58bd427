import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../clock.ts';
import { forEachDialect } from '../db/testing.ts';
import { isEcouteError } from '../errors.ts';
import { encodeG711 } from '../media/g711.ts';
import { vaultAt } from '../vault/testing/vault.fixture.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { analyticsJob, TALK_ANALYTICS_KIND, type TalkAnalyticsContent } from './analytics.job.ts';
import { AnalyticsErrors } from './errors.ts';
import { syntheticCall } from './testing.ts';

forEachDialect('analytics job', (h) => {
  const tmp = tempDir();
  const { vault } = vaultAt(tmp.path);
  after(tmp.remove);

  async function sealed(id: string, purposes: string[], pcm: Int16Array, paused?: [number, number]) {
    const w = await vault.openSpool(id, { format: 'pcmu/8000/2' });
    const law = new Uint8Array(pcm.length);
    encodeG711('pcmu', pcm, law);
    for (let o = 0; o < law.length; o += 320) w.append(Buffer.from(law.subarray(o, o + 320)));
    await w.finish();
    const t0 = h.clock.now();
    const durationMs = pcm.length / 16;
    await h.db.recordings.insert({
      id,
      callId: `c-${id}`,
      policyId: 'p',
      policyVersion: 1,
      purposes,
      startedAt: t0,
      agentId: 'a-1',
      team: 'north',
      direction: 'inbound',
    });
    const segs = paused
      ? [
          { kind: 'recorded' as const, startMs: 0, endMs: paused[0] },
          { kind: 'paused' as const, startMs: paused[0], endMs: paused[1] },
          { kind: 'recorded' as const, startMs: paused[1], endMs: durationMs },
        ]
      : [{ kind: 'recorded' as const, startMs: 0, endMs: durationMs }];
    await h.db.recordings.setSealed(id, {
      endedAt: t0 + durationMs,
      durationMs,
      segments: segs,
      codec: 'pcmu',
      sizeBytes: law.length,
      sha256: 'x',
      blobKey: id,
      expiresAt: t0 + 30 * DAY_MS,
    });
  }

  it('R-RET-2 R-MIN-1: computes talk analytics from the vault into a talk_analytics document kept at most 365 days, independent of the audio', async () => {
    await sealed(
      'j-1',
      ['quality'],
      syntheticCall(10_000, [
        { channel: 0, startMs: 1000, endMs: 4000 },
        { channel: 1, startMs: 5000, endMs: 8000 },
      ]),
    );
    const job = analyticsJob({ db: h.db, vault, clock: h.clock });
    await job({ recordingId: 'j-1' }, undefined as never);
    await job({ recordingId: 'j-1' }, undefined as never); // idempotent: one document
    const docs = (await h.db.analysis.forRecording('j-1')).filter((d) => d.kind === TALK_ANALYTICS_KIND);
    assert.equal(docs.length, 1);
    const d = docs[0];
    assert.ok(d);
    assert.equal(d.expiresAt - d.createdAt, 365 * DAY_MS);
    assert.deepEqual(Object.keys(d.content as object).sort(), ['call', 'figures', 'team']);
    const f = (d.content as TalkAnalyticsContent).figures;
    assert.ok(Math.abs(f.agent.talkMs - 3000) <= 50 && Math.abs(f.customer.talkMs - 3000) <= 50);
    await assert.rejects(
      analyticsJob({ db: h.db, vault, clock: h.clock, retentionDays: 400 })(
        { recordingId: 'j-1' },
        undefined as never,
      ),
      (e) => isEcouteError(e, AnalyticsErrors.RETENTION_TOO_LONG) && e.rule === 'R-RET-2',
    );
  });

  it('R-PCI-1: the job skips paused spans of a stored recording entirely', async () => {
    await sealed(
      'j-2',
      ['evaluation'],
      syntheticCall(10_000, [{ channel: 1, startMs: 2000, endMs: 8000 }]),
      [2000, 8000],
    );
    await analyticsJob({ db: h.db, vault, clock: h.clock })({ recordingId: 'j-2' }, undefined as never);
    const d = (await h.db.analysis.forRecording('j-2'))[0];
    const f = (d?.content as TalkAnalyticsContent).figures;
    assert.equal(f.customer.talkMs, 0);
    assert.deepEqual(f.paused, { count: 1, totalMs: 6000 });
    assert.equal(f.analysedMs, 4000);
  });

  it('never analyses audio recorded for a purpose analytics do not serve (contract proof)', async () => {
    await sealed('j-3', ['contract_proof'], syntheticCall(2000, []));
    await assert.rejects(
      analyticsJob({ db: h.db, vault, clock: h.clock })({ recordingId: 'j-3' }, undefined as never),
      (e) => isEcouteError(e, AnalyticsErrors.NOT_ANALYSABLE),
    );
    assert.equal((await h.db.analysis.forRecording('j-3')).length, 0);
  });
});
