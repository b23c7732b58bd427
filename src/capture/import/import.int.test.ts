/**
 * `ecoute import` on real files: WAVs the test writes (PCM16, µ-law, A-law; mono, stereo; 8 and 16 kHz),
 * spoken audio from espeak-ng + sox, a CDR as CSV and JSON, through the CLI into the RecordingSink.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, FakeClock } from '../../clock.ts';
import { buildProgram, runCli } from '../../cli/cli.ts';
import { makeImportCommand } from '../../cli/commands/import.command.ts';
import { ulawToLinear, alawToLinear, linearToUlaw, linearToAlaw } from '../../media/g711.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { RecordingSink } from '../testing/recording.sink.ts';
import { encodeWav } from '../testing/wav.writer.ts';
import { importRecordings } from './import.runner.ts';
import { readWav } from './wav.reader.ts';

const clock = new FakeClock('2026-11-02T09:00:00Z');
const tmp = tempDir('ecoute-import-');
const wavDir = join(tmp.path, 'wav');
const outDir = join(tmp.path, 'out');

function tone(hz: number, samples: number, rate = 8000, amp = 8000): Int16Array {
  return Int16Array.from({ length: samples }, (_, i) =>
    Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rate)),
  );
}

before(() => {
  mkdirSync(wavDir);
  mkdirSync(outDir);
  writeFileSync(join(wavDir, 'stereo.wav'), encodeWav([tone(440, 16000), tone(1000, 16000)]));
  writeFileSync(join(wavDir, 'mono-ulaw.wav'), encodeWav([tone(700, 8000)], { encoding: 'ulaw' }));
  writeFileSync(join(wavDir, 'mono-alaw.wav'), encodeWav([tone(700, 4000)], { encoding: 'alaw' }));
  writeFileSync(
    join(wavDir, 'hd.wav'),
    encodeWav([tone(440, 32000, 16000), tone(1000, 32000, 16000)], { rateHz: 16000 }),
  );
  writeFileSync(join(wavDir, 'optout.wav'), encodeWav([tone(440, 8000)]));
  writeFileSync(join(wavDir, 'old.wav'), encodeWav([tone(440, 8000)]));
  writeFileSync(join(wavDir, 'broken.wav'), Buffer.from('RIFF....WAVEjunk'));
  const csv = [
    'calldate,src,recordingfile,agent,queue,direction,notice_version,notice_end',
    '2026-11-01 10:00:00,+33612345678,stereo.wav,agent-1,sales,inbound,2,2026-11-01 09:59:50',
    '2026-11-01 11:00:00,+33612345679,mono-ulaw.wav,agent-2,sales,inbound,2,2026-11-01 10:59:50',
    '2026-11-01 12:00:00,+33612345670,mono-alaw.wav,agent-2,"sales, west",outbound,2,',
    '2026-11-01 13:00:00,+33612345671,hd.wav,agent-3,sales,inbound,2,2026-11-01 12:59:50',
    '2026-11-01 14:00:00,+33100000000,optout.wav,agent-3,sales,inbound,2,2026-11-01 13:59:50',
    '2026-04-01 14:00:00,+33612345672,old.wav,agent-3,sales,inbound,2,2026-04-01 13:59:50',
    '2026-11-01 15:00:00,+33612345673,broken.wav,agent-3,sales,inbound,2,2026-11-01 14:59:50',
    '2026-11-01 16:00:00,+33612345674,../escape.wav,agent-3,sales,inbound,2,2026-11-01 15:59:50',
  ].join('\r\n');
  writeFileSync(join(tmp.path, 'cdr.csv'), csv);
  writeFileSync(
    join(tmp.path, 'mapping.yaml'),
    [
      'facts: cdr.csv',
      'utcOffset: "+01:00"',
      'columns:',
      '  file: recordingfile',
      '  startedAt: calldate',
      '  customerNumber: src',
      '  agent: agent',
      '  queue: queue',
      '  direction: direction',
      '  noticeVersion: notice_version',
      '  noticeEndedAt: notice_end',
      'values:',
      '  noticePlayed: "true"',
      'channels:',
      '  agent: 1',
    ].join('\n'),
  );
});
after(() => tmp.remove());

function newSink() {
  return new RecordingSink({
    dir: outDir,
    clock,
    retentionDays: 183,
    record: (f) => f.customerNumber !== '+33100000000',
  });
}

test('R-RET-1 R-MIN-4: import through the CLI: policy refusals and expired files are counted, the rest recorded', async () => {
  const sink = newSink();
  const lines: string[] = [];
  const program = buildProgram(
    [makeImportCommand(() => Promise.resolve({ sink, close: () => Promise.resolve() }))],
    {
      out: (t) => lines.push(t),
      err: (t) => lines.push(t),
    },
  );
  const status = await runCli(
    program,
    ['import', wavDir, '--map', join(tmp.path, 'mapping.yaml'), '--no-progress'],
    (t) => lines.push(t),
  );
  const text = lines.join('\n');
  assert.equal(status, 0, text);
  assert.match(text, /imported: 4 \(5\.5 s of audio\)/);
  assert.match(text, /not recorded by policy: 1/);
  assert.match(text, /refused, past retention \[R-RET-1\]: 1/);
  assert.match(text, /failed: 2/);
  assert.match(text, /row 8 broken.wav: ECOUTE_IMPORT_WAV_INVALID/);
  assert.match(text, /row 9 \.\.\/escape.wav: ECOUTE_IMPORT_FACTS_INVALID: row 9: file is empty or outside/);
  assert.equal(sink.started.length, 4);
  const byFile = new Map([...sink.ended.values()].map((m) => [m.protocol.ids.file, m]));

  const stereo = byFile.get('stereo.wav');
  assert.ok(stereo);
  assert.equal(stereo.durationMs, 2000);
  assert.equal(stereo.facts.startedAt, Date.parse('2026-11-01T10:00:00+01:00'));
  assert.equal(stereo.facts.noticeEndedAt, Date.parse('2026-11-01T09:59:50+01:00'));
  const [agent, customer] = sink.audio(stereo.callId);
  assert.deepEqual(agent, tone(1000, 16000), 'channels.agent: 1 puts the right WAV channel on the agent');
  assert.deepEqual(customer, tone(440, 16000));

  const ulaw = byFile.get('mono-ulaw.wav');
  assert.ok(ulaw);
  const [ua, uc] = sink.audio(ulaw.callId);
  assert.deepEqual(ua, uc, 'a mono file is a mix: kept on both channels');
  assert.deepEqual(
    ua,
    tone(700, 8000).map((s) => ulawToLinear(linearToUlaw(s))),
  );

  const alaw = byFile.get('mono-alaw.wav');
  assert.ok(alaw);
  assert.equal(alaw.facts.queue, 'sales, west');
  assert.equal(alaw.facts.direction, 'outbound');
  assert.deepEqual(
    sink.audio(alaw.callId)[0],
    tone(700, 4000).map((s) => alawToLinear(linearToAlaw(s))),
  );

  const hd = byFile.get('hd.wav');
  assert.ok(hd);
  assert.equal(hd.durationMs, 2000, '16 kHz decimated to 8 kHz');
});

test('import reads the facts from JSON too', async () => {
  writeFileSync(
    join(tmp.path, 'cdr.json'),
    JSON.stringify([
      { file: 'stereo.wav', at: clock.now() - 2 * DAY_MS, who: 'agent-9', ended: clock.now() - 2 * DAY_MS },
    ]),
  );
  writeFileSync(
    join(tmp.path, 'json.yaml'),
    'facts: cdr.json\ncolumns: { file: file, startedAt: at, agent: who, noticeEndedAt: ended }\nvalues: { direction: inbound }\n',
  );
  const sink = newSink();
  const progress: number[] = [];
  const s = await importRecordings({
    dir: wavDir,
    mappingFile: join(tmp.path, 'json.yaml'),
    sink,
    onProgress: (done) => progress.push(done),
  });
  assert.deepEqual({ imported: s.imported, total: s.total }, { imported: 1, total: 1 });
  assert.deepEqual(progress, [1]);
  const m = [...sink.ended.values()][0];
  assert.equal(m?.facts.agentExternalId, 'agent-9');
  assert.equal(m?.facts.startedAt, clock.now() - 2 * DAY_MS);
});

test('import refuses a mapping without the file or date column', async () => {
  writeFileSync(join(tmp.path, 'bad.yaml'), 'facts: cdr.csv\ncolumns: { file: recordingfile }\n');
  await assert.rejects(
    importRecordings({ dir: wavDir, mappingFile: join(tmp.path, 'bad.yaml'), sink: newSink() }),
    /ECOUTE_IMPORT_MAPPING_INVALID|startedAt/,
  );
});

const haveTools = ['espeak-ng', 'sox'].every((bin) => {
  try {
    execFileSync('which', [bin]);
    return true;
  } catch {
    return false;
  }
});

test(
  'import of spoken audio from espeak-ng + sox (µ-law 8 kHz, as a PBX writes it)',
  { skip: !haveTools && 'espeak-ng/sox missing' },
  async () => {
    const dir = join(tmp.path, 'speech');
    mkdirSync(dir);
    const raw = join(dir, 'raw.wav');
    execFileSync('espeak-ng', [
      '-w',
      raw,
      'Bonjour, vous êtes bien au service client. Cet appel peut être enregistré.',
    ]);
    execFileSync('sox', [raw, '-r', '8000', '-c', '1', '-e', 'u-law', join(dir, 'call.wav')]);
    const expectedMs = Number(execFileSync('soxi', ['-D', join(dir, 'call.wav')]).toString()) * 1000;
    writeFileSync(
      join(dir, 'cdr.csv'),
      `file,start\ncall.wav,${new Date(clock.now() - DAY_MS).toISOString()}\n`,
    );
    writeFileSync(
      join(dir, 'map.yaml'),
      'facts: cdr.csv\ncolumns: { file: file, startedAt: start }\nchannels: { mono: customer }\n',
    );
    const sink = newSink();
    const s = await importRecordings({ dir, mappingFile: join(dir, 'map.yaml'), sink });
    assert.equal(s.imported, 1);
    const m = [...sink.ended.values()][0];
    assert.ok(m);
    assert.ok(Math.abs(m.durationMs - expectedMs) < 1, `${m.durationMs} vs ${expectedMs}`);
    const [agent, customer] = sink.audio(m.callId);
    assert.ok(
      agent?.every((v) => v === 0),
      'channels.mono: customer leaves the agent channel silent',
    );
    const source = readWav(readFileSync(join(dir, 'call.wav'))).planes[0];
    assert.deepEqual(customer, source);
    assert.ok(customer && Math.max(...customer.map(Math.abs)) > 3000, 'speech, not silence');
    assert.ok(existsSync(join(outDir, `${m.callId}.wav`)));
  },
);
