/**
 * Opus storage (DESIGN.md flow step 5) on a real vault: real spools, the real sealing child process, the
 * filesystem blob store, the reference opus-tools, espeak-ng speech when installed (speech-like noise
 * otherwise, said in the diagnostics).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../test/support/tmp.ts';
import { opusToolsAvailable } from '../../test/support/opus-tools.ts';
import { speak } from '../../test/support/speech.ts';
import { isEcouteError, type ErrorSpec } from '../errors.ts';
import { DtmfDetector } from '../media/dtmf.detector.ts';
import { DtmfMasker } from '../media/dtmf.masker.ts';
import { MediaErrors } from '../media/errors.ts';
import { ulawToLinear } from '../media/g711.ts';
import { FOOTER_BYTES, decodeFooter } from '../media/opus.indexed.ts';
import { concat, dtmfTone, silence, sine, speechLike } from '../media/tones.ts';
import { readWav, wavSamples, channelOf } from '../media/wav.ts';
import { VaultErrors } from './errors.ts';
import { ContainerReader } from './container.reader.ts';
import { ContainerFileWriter } from './container.writer.ts';
import { OPUS_CHUNK_BYTES } from './opus.encode.ts';
import { SealPool, type Sealer } from './seal.pool.ts';
import { callAudio, stereoLaw } from './testing/audio.fixture.ts';
import { vaultAt } from './testing/vault.fixture.ts';
import type { Vault } from './vault.ts';
import type { BlobStore } from './vault.ports.ts';

const FMT = 'pcmu/8000/2';
const ms = (t: number) => Math.round(t * 8);

/** Appends like the recorder, 20 ms frames of stereo µ-law, and finishes (which seals). */
async function record(vault: Vault, id: string, law: Buffer) {
  const w = await vault.openSpool(id, { format: FMT });
  for (let o = 0; o < law.length; o += 320) w.append(law.subarray(o, Math.min(law.length, o + 320)));
  return w.finish();
}

function split(law: Uint8Array): [Int16Array, Int16Array] {
  const n = law.length >> 1;
  const a = new Int16Array(n);
  const c = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = ulawToLinear(law[2 * i] as number);
    c[i] = ulawToLinear(law[2 * i + 1] as number);
  }
  return [a, c];
}

function energy(x: Int16Array, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += (x[i] as number) ** 2;
  return e;
}

/** Normalised correlation at lag 0 over [from, to). */
function corr(a: Int16Array, b: Int16Array, from: number, to: number): number {
  let ab = 0;
  for (let i = from; i < to; i++) ab += (a[i] as number) * (b[i] as number);
  return ab / Math.sqrt(energy(a, from, to) * energy(b, from, to));
}

/** Level of one channel against the other over a window, in dB. */
const separationDb = (on: Int16Array, off: Int16Array, from: number, to: number) =>
  10 * Math.log10(energy(on, from, to) / Math.max(1, energy(off, from, to)));

function isErr(spec: ErrorSpec, id: string) {
  return (e: unknown) => isEcouteError(e, spec) && e.context.recordingId === id;
}

const speechA = speak('Bonjour madame, je vous appelle au sujet de votre contrat.', 'fr');
const speechB = speak('Oui, bien sûr, je vous écoute.', 'fr');
const SPEECH = speechA && speechB ? 'espeak-ng' : 'speech-like noise (espeak-ng or sox missing)';
const clip = (s: Int16Array | undefined, seed: number) =>
  (s ?? speechLike(3000, 110 + seed * 40, seed)).subarray(0, 24_000);

/**
 * 12.3 s: agent 440 Hz [0, 2 s), customer 1000 Hz [2, 4 s), agent speech [4, 7 s), customer speech
 * [7, 10 s), then silence; the length is no whole number of frames or blocks.
 */
function conversation() {
  const n = ms(12_300);
  const agent = new Int16Array(n);
  const customer = new Int16Array(n);
  agent.set(sine(440, 2000, 8000), 0);
  customer.set(sine(1000, 2000, 6000), ms(2000));
  agent.set(clip(speechA, 1), ms(4000));
  customer.set(clip(speechB, 2), ms(7000));
  return { agent, customer, law: stereoLaw(agent, customer), n };
}

test('DESIGN step 5: a call is stored as Opus in Ogg, under a quarter of its µ-law, two clean lanes, exact length', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir } = vaultAt(tmp.path, { storage: 'opus' });
  const call = conversation();
  const info = await record(vault, 'conv', call.law);
  assert.equal(info.format, 'opus/8000/2', 'the codec column gets the stored format');
  assert.equal(info.durationBytes, call.law.length, 'durationBytes stays the µ-law-equivalent length');
  assert.ok(info.size < call.law.length / 4, `${info.size} bytes stored for ${call.law.length} of µ-law`);
  const blob = await readFile(join(dir, 'blobs', info.blobKey));
  assert.equal(blob.indexOf('OggS'), -1, 'the Ogg stream is encrypted');
  assert.deepEqual(await readdir(join(dir, 'spool')), [], 'spool and sealing file removed');

  const reader = await vault.openReader('conv');
  assert.equal(reader.format, FMT, 'readers see the spooled format');
  assert.equal(reader.size, call.law.length);
  const [a, c] = split(await reader.read(0, reader.size));
  reader.close();
  const [srcA, srcC] = split(call.law);
  const windows = [
    { name: 'agent tone', on: [a, srcA], off: c, from: ms(100), to: ms(1900), min: 0.9 },
    { name: 'customer tone', on: [c, srcC], off: a, from: ms(2100), to: ms(3900), min: 0.9 },
    { name: 'agent speech', on: [a, srcA], off: c, from: ms(4000), to: ms(7000), min: 0.85 },
    { name: 'customer speech', on: [c, srcC], off: a, from: ms(7000), to: ms(10_000), min: 0.85 },
  ] as const;
  for (const w of windows) {
    const [out, src] = w.on;
    const sep = separationDb(out, w.off, w.from, w.to);
    const r = corr(out, src, w.from, w.to);
    t.diagnostic(`${w.name} (${SPEECH}): separation ${sep.toFixed(1)} dB, correlation ${r.toFixed(3)}`);
    assert.ok(sep > 20, `${w.name}: the other channel is ${sep.toFixed(1)} dB down, want > 20`);
    assert.ok(r > w.min, `${w.name}: correlation ${r.toFixed(3)} with the source, want > ${w.min}`);
  }
  for (const ch of [a, c]) {
    const e = energy(ch, ms(10_100), ms(12_250)) / (ms(12_250) - ms(10_100));
    assert.ok(Math.sqrt(e) < 2, `digital silence decodes as silence (rms ${Math.sqrt(e).toFixed(2)})`);
  }
});

test('the decrypted Ogg stream passes opusinfo and opusdec decodes it to the same audio and length', async (t) => {
  if (!opusToolsAvailable()) return t.skip('opus-tools missing');
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir, keyRing } = vaultAt(tmp.path, { storage: 'opus' });
  const call = conversation();
  const info = await record(vault, 'tools', call.law);
  const blob = await readFile(join(dir, 'blobs', info.blobKey));
  const key = await keyRing.dataKey('tools');
  const inner = await ContainerReader.open(
    { size: blob.length, read: (s, e) => Promise.resolve(blob.subarray(s, e)) },
    key,
    'tools',
  );
  const plain = await inner.read(0, inner.size);
  const footer = decodeFooter(plain.subarray(plain.length - FOOTER_BYTES), plain.length);
  const ogg = join(tmp.path, 'call.opus');
  await writeFile(ogg, plain.subarray(0, footer.oggLength));
  const infoText = execFileSync('opusinfo', [ogg], { encoding: 'utf8' });
  for (const want of [
    'Channels: 2',
    'Streams: 2, Coupled: 0',
    'Pre-skip: 312',
    'Map: [0, 1]',
    'Original sample rate: 8000',
  ])
    assert.ok(infoText.includes(want), `opusinfo says ${want}\n${infoText}`);
  const wav = join(tmp.path, 'call.wav');
  execFileSync('opusdec', ['--quiet', '--rate', '8000', ogg, wav]);
  const decoded = wavSamples(readWav(await readFile(wav)));
  const [refA, refC] = [channelOf(decoded, 2, 0), channelOf(decoded, 2, 1)];
  assert.equal(refA.length, call.n, 'opusdec applies the pre-skip and end trimming: exact length');
  const [a, c] = split(await vault.readRange('tools', 0, call.law.length));
  // opusdec decodes at 48 kHz and resamples (its own filter and phase), so the match is close, not exact;
  // what matters is that an independent decoder finds each party in its own channel.
  const ra = corr(a, refA, 0, call.n);
  const rc = corr(c, refC, 0, call.n);
  t.diagnostic(
    `vault decode against opusdec: correlation ${ra.toFixed(3)} (agent), ${rc.toFixed(3)} (customer)`,
  );
  assert.ok(ra > 0.9 && rc > 0.9, `opusdec hears the same audio (${ra.toFixed(3)}, ${rc.toFixed(3)})`);
  assert.ok(
    Math.abs(corr(c, refA, 0, call.n)) < 0.05 && Math.abs(corr(a, refC, 0, call.n)) < 0.05,
    'lanes not swapped',
  );
});

test('random range reads equal the same slice of a full decode: cold or cached, block edges, odd offsets', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault } = vaultAt(tmp.path, { storage: 'opus' });
  const call = conversation();
  await record(vault, 'ranges', call.law);
  const full = await vault.readRange('ranges', 0, call.law.length);
  const size = full.length;
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const ranges: [number, number][] = [
    [0, 1],
    [size - 1, size],
    [0, size],
  ];
  // Around block edges: input sample s sits at stream position s + 52 (the look-ahead), blocks are 8000.
  for (const b of [1, 2, 5, 12]) {
    const edge = 2 * (8000 * b - 52);
    ranges.push([edge - 1, edge + 1], [edge - 320, edge + 333], [edge, Math.min(size, edge + 16_000)]);
  }
  for (let i = 0; i < 30; i++) {
    const s = rnd(size);
    ranges.push([s, Math.min(size, s + 1 + rnd(40_000))]);
  }
  for (const [s, e] of ranges) {
    const cold = vaultAt(tmp.path, { storage: 'opus' }).vault; // a new vault: nothing cached
    assert.deepEqual(await cold.readRange('ranges', s, e), full.subarray(s, e), `cold [${s}, ${e})`);
    assert.deepEqual(await vault.readRange('ranges', s, e), full.subarray(s, e), `cached [${s}, ${e})`);
  }
  await assert.rejects(vault.readRange('ranges', 0, size + 1), isErr(VaultErrors.RANGE, 'ranges'));
});

test('R-PCI-2: DTMF masked in the spool stays silent through Opus; unmasked, the same digits come back', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault } = vaultAt(tmp.path, { storage: 'opus' });
  const digits = '4971';
  const keyed = concat(
    clip(speechB, 3).subarray(0, ms(1500)),
    ...[...digits].flatMap((d) => [dtmfTone(d, 120), silence(80)]),
    clip(speechA, 4).subarray(0, ms(1500)),
    silence(200),
  );
  const detect = (pcm: Int16Array): string => {
    let found = '';
    const det = new DtmfDetector({ onStart: (d) => (found += d) });
    det.push(pcm);
    det.flush();
    return found;
  };
  assert.equal(detect(keyed), digits, 'the detector finds the digits in the source');
  const agent = speechLike(keyed.length / 8, 100, 9);
  await record(vault, 'keyed', stereoLaw(agent, keyed));
  assert.equal(
    detect(split(await vault.readRange('keyed', 0, keyed.length * 2))[1]),
    digits,
    'control: Opus keeps DTMF',
  );

  const masked = Int16Array.from(keyed);
  const spans: [number, number][] = [];
  const masker = new DtmfMasker({ onMasked: (s, e) => spans.push([s, e]) });
  masker.process(masked);
  const tail = new Int16Array(masker.delaySamples);
  masker.process(tail);
  const spooled = concat(masked.subarray(masker.delaySamples), tail); // the masker's delay line, undone
  assert.ok(spans.length > 0 && detect(spooled) === '', 'the masker removed every digit before the spool');
  await record(vault, 'masked', stereoLaw(agent, spooled));
  const [, out] = split(await vault.readRange('masked', 0, spooled.length * 2));
  assert.equal(detect(out), '', 'no digit comes back after Opus');
  for (const [s0, e0] of spans) {
    const [s, e] = [s0 + ms(10), e0 - ms(10)]; // spans count input samples: the timeline of `spooled`
    const level = Math.sqrt(energy(out, s, e) / (e - s));
    assert.ok(level < 30, `masked span [${s}, ${e}) decodes to rms ${level.toFixed(1)} (< -60 dBFS)`);
  }
});

const CHILD = fileURLToPath(new URL('./testing/seal-crash.child.ts', import.meta.url));

async function crashWhileSealing(dir: string, id: string, mode: 'upload' | 'stored'): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, id, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  for await (const line of createInterface({ input: child.stdout }))
    if (line === (mode === 'upload' ? 'uploading' : 'stored')) break;
  child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');
}

test('a crash while sealing leaves the spool; recovery seals it again and removes the stale sealing file', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const audio = callAudio(5);
  for (const mode of ['upload', 'stored'] as const) {
    const id = `crash-${mode}`;
    await crashWhileSealing(tmp.path, id, mode);
    const left = await readdir(join(tmp.path, 'spool'));
    assert.ok(left.includes(`${id}.spool`) && left.includes(`${id}.sealing`), `${mode}: ${left.join(', ')}`);
    const { vault } = vaultAt(tmp.path, { storage: 'opus' });
    const recovered = await vault.recoverSpools();
    const rec = recovered.find((r) => r.recordingId === id);
    assert.equal(rec?.outcome, 'sealed', JSON.stringify(rec?.error));
    assert.equal(rec.sealed?.format, 'opus/8000/2');
    assert.equal(rec.sealed?.durationBytes, audio.law.length);
    assert.ok(
      !(await readdir(join(tmp.path, 'spool'))).some((n) => n.startsWith(id)),
      'spool and sealing file gone',
    );
    const [a] = split(await vault.readRange(id, 0, audio.law.length));
    assert.ok(corr(a, audio.agent, ms(100), ms(900)) > 0.9, 'the audio is the recorded one');
    assert.equal((await vault.verify({ ids: [id] })).ok.length, 1);
  }
});

test('a sealing file without its spool is removed at recovery; an interrupted spool stays interrupted as Opus', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir } = vaultAt(tmp.path, { storage: 'opus' });
  const w = await vault.openSpool('torn', { format: FMT });
  w.append(callAudio(3).law.subarray(0, 1600 * 12 + 500)); // 12 whole 100 ms chunks, 500 bytes buffered
  await w.flush();
  await writeFile(join(dir, 'spool', 'orphan.sealing'), 'left between upload and removal');
  const after = vaultAt(tmp.path, { storage: 'opus' }).vault;
  const [rec] = await after.recoverSpools();
  assert.equal(rec?.outcome, 'sealed');
  assert.equal(rec.sealed?.interrupted, true);
  assert.equal(rec.sealed?.durationBytes, 1600 * 12);
  assert.deepEqual(await readdir(join(dir, 'spool')), []);
  const r = await after.openReader('torn');
  assert.equal(r.interrupted, true);
  r.close();
});

test('R-SEC-4: a tampered Opus container fails authentication, and verify checks the Ogg index too', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir, keyRing } = vaultAt(tmp.path, { storage: 'opus' });
  const audio = callAudio(4);
  for (const id of ['good', 'flip', 'badindex']) await record(vault, id, audio.law);
  const file = (id: string) => join(dir, 'blobs', 'recordings', `${id}.ecvt`);
  const flip = await readFile(file('flip'));
  flip[Math.floor(flip.length / 2)]! ^= 0x10;
  await writeFile(file('flip'), flip);
  await assert.rejects(
    vault.readRange('flip', 0, audio.law.length),
    isErr(VaultErrors.CORRUPT_CHUNK, 'flip'),
  );

  // A container that authenticates but whose index is wrong (only a holder of the key could write it).
  const key = await keyRing.dataKey('badindex');
  const orig = await ContainerReader.open(
    {
      size: (await readFile(file('badindex'))).length,
      read: async (s, e) => (await readFile(file('badindex'))).subarray(s, e),
    },
    key,
    'badindex',
  );
  const plain = Buffer.from(await orig.read(0, orig.size));
  const footer = decodeFooter(plain.subarray(plain.length - FOOTER_BYTES), plain.length);
  plain.writeBigUInt64BE(BigInt(footer.oggLength - 10), footer.oggLength + 8); // block 1 points inside a page
  const out = await ContainerFileWriter.create({
    path: join(tmp.path, 'bad.ecvt'),
    recordingId: 'badindex',
    dataKey: key,
    format: 'opus/8000/2',
    chunkBytes: OPUS_CHUNK_BYTES,
    createdMs: 1,
  });
  await out.write(plain);
  await out.finish(false);
  await writeFile(file('badindex'), await readFile(join(tmp.path, 'bad.ecvt')));

  const report = await vault.verify({ ids: ['good', 'flip', 'badindex'] });
  assert.deepEqual([...report.ok], ['good']);
  assert.deepEqual(
    report.corrupt.map((c) => [c.recordingId, c.code]),
    [
      ['flip', VaultErrors.CORRUPT_CHUNK.code],
      ['badindex', MediaErrors.OPUS_INDEX.code],
    ],
  );
});

test('R-RET-4: a shred wipes decoded blocks: a reader opened before, even on a cached range, reads nothing', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault } = vaultAt(tmp.path, { storage: 'opus' });
  const audio = callAudio(3);
  await record(vault, 'gone', audio.law);
  const reader = await vault.openReader('gone');
  assert.equal((await reader.read(0, 16_000)).length, 16_000);
  await vault.shred('gone', { rule: 'R-RET-1', scope: 'audio' });
  await assert.rejects(reader.read(0, 16_000), isErr(VaultErrors.KEY_MISSING, 'gone'));
  await assert.rejects(vault.readRange('gone', 0, 10), isErr(VaultErrors.KEY_MISSING, 'gone'));
});

test('a failed upload leaves the spool for recovery and no sealing file', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const real = vaultAt(tmp.path).blobs;
  const blobs: BlobStore = {
    kind: 'fs',
    put: () => Promise.reject(new Error('store down')),
    head: (k) => real.head(k),
    getRange: (k, s, e) => real.getRange(k, s, e),
    delete: (k) => real.delete(k),
    deleteMany: (ks) => real.deleteMany(ks),
    list: (p) => real.list(p),
  };
  const { vault } = vaultAt(tmp.path, { storage: 'opus', blobs });
  await assert.rejects(record(vault, 'down', callAudio(2).law), isErr(VaultErrors.BLOB_UNAVAILABLE, 'down'));
  assert.deepEqual(await readdir(join(tmp.path, 'spool')), ['down.spool']);
  const [rec] = await vaultAt(tmp.path, { storage: 'opus' }).vault.recoverSpools();
  assert.equal(rec?.outcome, 'sealed');
});

test('a sealing process that dies fails that seal with SEAL; the spool stays and recovery seals it', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const pool = new SealPool();
  // The job is handed to a fresh child synchronously; killing the pool right after is a codec crash.
  const sealer: Sealer = {
    run: (job) => {
      const running = pool.run(job);
      pool.close();
      return running;
    },
  };
  const { vault } = vaultAt(tmp.path, { storage: 'opus', sealer });
  const audio = callAudio(6);
  await assert.rejects(record(vault, 'crashed', audio.law), (e: unknown) => {
    assert.ok(isEcouteError(e, VaultErrors.SEAL), String(e));
    assert.equal(e.context.recordingId, 'crashed');
    assert.equal(e.context.signal, 'SIGKILL');
    return true;
  });
  assert.deepEqual(await readdir(join(tmp.path, 'spool')), ['crashed.spool']);
  const [rec] = await vaultAt(tmp.path, { storage: 'opus' }).vault.recoverSpools();
  assert.equal(rec?.outcome, 'sealed');
  assert.equal(rec.sealed?.durationBytes, audio.law.length);
});
