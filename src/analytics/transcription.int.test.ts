import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS } from '../clock.ts';
import { forEachDialect } from '../db/testing.ts';
import { isEcouteError } from '../errors.ts';
import { encodeG711 } from '../media/g711.ts';
import { vaultAt } from '../vault/testing/vault.fixture.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { analyseRecording } from './analytics.job.ts';
import { AnalyticsErrors } from './errors.ts';
import {
  CommandLineEngine,
  transcribeRecording,
  TRANSCRIPT_KIND,
  type TranscriptContent,
} from './transcription.port.ts';
import { syntheticCall } from './testing.ts';

forEachDialect('transcription', (h) => {
  const tmp = tempDir();
  after(tmp.remove);
  const { vault } = vaultAt(tmp.path);
  // A tiny engine written for the test: it proves it got a mono 8 kHz WAV (size) and speaks personal data.
  const script = join(tmp.path, 'engine.sh');
  writeFileSync(
    script,
    '#!/bin/sh\nprintf "carte 4970 1012 3456 7893 rappel 06 12 34 56 78 mail a@b.fr octets %s" "$(wc -c < "$1")"\n',
  );
  chmodSync(script, 0o755);
  const failing = join(tmp.path, 'fail.sh');
  writeFileSync(failing, '#!/bin/sh\necho "model missing" >&2\nexit 3\n');
  chmodSync(failing, 0o755);

  const seed = async (id: string) => {
    const pcm = syntheticCall(2000, [{ channel: 0, startMs: 200, endMs: 1500 }]);
    const w = await vault.openSpool(id, { format: 'pcmu/8000/2' });
    const law = new Uint8Array(pcm.length);
    encodeG711('pcmu', pcm, law);
    w.append(Buffer.from(law));
    await w.finish();
    const t0 = h.clock.now();
    await h.db.recordings.insert({
      id,
      callId: id,
      policyId: 'p',
      policyVersion: 1,
      purposes: ['quality'],
      startedAt: t0,
      agentId: 'a-1',
      team: 'n',
      direction: 'inbound',
    });
    await h.db.recordings.setSealed(id, {
      endedAt: t0 + 2000,
      durationMs: 2000,
      segments: [],
      codec: 'pcmu',
      sizeBytes: law.length,
      sha256: 'x',
      blobKey: id,
      expiresAt: t0 + 90 * DAY_MS,
    });
  };

  it('R-MIN-1 R-RET-4: a command-line engine transcribes each channel; the transcript is redacted and inherits the recording expiry', async () => {
    await seed('t-1');
    const engine = new CommandLineEngine({ executable: script });
    const id = await transcribeRecording({ db: h.db, vault, clock: h.clock, engine }, 't-1');
    const doc = await h.db.analysis.get(id);
    assert.equal(doc?.kind, TRANSCRIPT_KIND);
    const c = doc?.content as TranscriptContent;
    assert.deepEqual(
      c.channels.map((x) => x.role),
      ['agent', 'customer'],
    );
    // 2 s mono PCM16 at 8 kHz = 32,000 bytes of samples + 44 of header.
    assert.equal(c.channels[0]?.text, 'carte [card] rappel [phone] mail [email] octets 32044');
    assert.deepEqual(c.redacted, { card: 2, phone: 2, email: 2 });
    assert.equal(JSON.stringify(c).includes('4970'), false);
    assert.equal(doc?.expiresAt, (await h.db.recordings.get('t-1'))?.expiresAt);
  });

  it('without an engine transcription is refused and analytics still work; a failing engine is a typed error', async () => {
    await seed('t-2');
    await assert.rejects(
      transcribeRecording({ db: h.db, vault, clock: h.clock, engine: undefined }, 't-2'),
      (e) => isEcouteError(e, AnalyticsErrors.NO_ENGINE),
    );
    assert.ok(await analyseRecording({ db: h.db, vault, clock: h.clock }, 't-2'));
    await assert.rejects(
      transcribeRecording(
        { db: h.db, vault, clock: h.clock, engine: new CommandLineEngine({ executable: failing }) },
        't-2',
      ),
      (e) => isEcouteError(e, AnalyticsErrors.ENGINE_FAILED),
    );
    assert.equal(
      (await h.db.analysis.forRecording('t-2')).filter((d) => d.kind === TRANSCRIPT_KIND).length,
      0,
    );
  });
});
