import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { tempDir } from '../../test/support/tmp.ts';
import { createLogger } from '../log.ts';
import { sine } from '../media/tones.ts';
import { recorderHarness } from './testing/recorder.harness.ts';

test('no phone number, name or SIP URI reaches a log line during a recorded, objected and sealed call', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger('trace', sink);
  const dir = tempDir('ecoute-privacy-');
  const h = await recorderHarness(dir.path, { log });
  try {
    const facts = {
      startedAt: h.clock.now(),
      direction: 'inbound' as const,
      agentExtension: 'sip:1001@pbx.example',
      customerNumber: '+33 6 12 34 56 78',
      noticePlayed: true,
      noticeVersion: 2,
      noticeEndedAt: h.clock.now(),
      objectionSignalled: false,
      personalCall: false,
      protectedLine: false,
    };
    for (const objection of [false, true]) {
      const handle = await h.recorder.start(facts, { name: 'siprec', ids: { sipCallId: 'abc@10.0.0.1' } });
      assert.ok(handle);
      for (let i = 0; i < 50; i++) {
        handle.push(0, sine(440, 20));
        handle.push(1, sine(1000, 20));
      }
      if (objection) handle.dtmf('9');
      await handle.end('completed');
    }
    // A mistake made on purpose: a message carrying a number is scrubbed by the logger itself.
    log.info(
      { customerNumber: '+33612345678', displayName: 'Agent Un' },
      'caller +33 6 12 34 56 78 at sip:alice@example.com',
    );
    const text = lines.join('');
    assert.ok(lines.length >= 3, 'the call produced log lines to inspect');
    for (const secret of [
      '612345678',
      '6 12 34 56 78',
      '+336',
      'Agent Un',
      'sip:1001',
      'sip:alice',
      'pbx.example',
    ]) {
      assert.ok(!text.includes(secret), `log output contains ${secret}`);
    }
  } finally {
    await h.close();
    dir.remove();
  }
});
