import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../errors.ts';
import { MediaErrors } from './errors.ts';
import { encodeG711, ulawToLinear } from './g711.ts';
import { checkIndexedOpus } from './opus.check.ts';
import {
  BLOCK_SAMPLES,
  FOOTER_BYTES,
  INDEX_ENTRY_BYTES,
  IndexedOpusWriter,
  PREROLL_FRAMES,
  decodeBlock,
  decodeFooter,
  decodeIndex,
  encodeFooter,
  packetsOf,
  type OpusFooter,
} from './opus.indexed.ts';
import { pagesOf } from './ogg.ts';
import { StereoOpusDecoder, joinStreams, opusHead, parseOpusHead, splitStreams } from './opus.ts';
import { concat, sine, speechLike } from './tones.ts';
import { toneRatio } from './goertzel.ts';
import { rms } from './levels.ts';

const framing = (e: unknown) => isEcouteError(e, MediaErrors.OPUS_FRAMING);
const indexErr = (e: unknown) => isEcouteError(e, MediaErrors.OPUS_INDEX);

/** A code-0 packet: TOC 0x08 (SILK NB 20 ms, mono, one frame), then `n` frame bytes. */
const code0 = (n: number, fill = 0xaa) => Buffer.concat([Buffer.from([0x08]), Buffer.alloc(n, fill)]);

test('self-delimiting framing (RFC 6716 Appendix B): the first stream carries its frame length', () => {
  const cases: [number, number[]][] = [
    [0, [0]],
    [10, [10]],
    [251, [251]],
    [252, [252, 0]],
    [255, [255, 0]],
    [256, [252, 1]],
    [1275, [255, 255]],
  ];
  for (const [n, lengthBytes] of cases) {
    const first = code0(n, 0x11);
    const last = code0(7, 0x22);
    const joined = joinStreams(first, last);
    assert.deepEqual([...joined.subarray(1, 1 + lengthBytes.length)], lengthBytes, `frame of ${n}`);
    assert.equal(joined.length, 1 + lengthBytes.length + n + last.length);
    const [a, b] = splitStreams(joined);
    assert.deepEqual(a, first);
    assert.deepEqual(b, last);
  }
});

test('a packet that is not one frame (TOC code 1, 2 or 3) fails with OPUS_FRAMING, in either stream', () => {
  for (const code of [1, 2, 3]) {
    const other = Buffer.from([0x08 | code, 1, 2, 3]);
    assert.throws(() => joinStreams(other, code0(3)), framing);
    assert.throws(() => joinStreams(code0(3), other), framing);
  }
  const joined = joinStreams(code0(3), code0(3));
  assert.throws(() => splitStreams(Buffer.concat([joined.subarray(0, 1), Buffer.from([200])])), framing);
  const badLast = Buffer.from(joined);
  badLast[5] = 0x0b; // the second stream's TOC: code 3
  assert.throws(() => splitStreams(badLast), framing);
});

test('OpusHead: channel mapping family 1, two uncoupled streams mapped [0, 1] (RFC 7845 §5.1.1)', () => {
  const h = opusHead(312);
  assert.equal(h.toString('latin1', 0, 8), 'OpusHead');
  assert.deepEqual([...h.subarray(8)], [1, 2, 0x38, 0x01, 0x40, 0x1f, 0, 0, 0, 0, 1, 2, 0, 0, 1]);
  assert.deepEqual(parseOpusHead(h), {
    channels: 2,
    preSkip: 312,
    inputRate: 8000,
    family: 1,
    streams: 2,
    coupled: 0,
    mapping: [0, 1],
  });
});

test('footer and index round trip; a footer that disagrees with the sizes is refused', () => {
  const f: OpusFooter = {
    blocks: 3,
    framesPerBlock: 50,
    delay: 52,
    oggLength: 9000,
    samples: 2 * BLOCK_SAMPLES,
  };
  const plainSize = f.oggLength + 3 * INDEX_ENTRY_BYTES + FOOTER_BYTES;
  const bytes = encodeFooter(f);
  assert.equal(bytes.length, FOOTER_BYTES);
  assert.deepEqual(decodeFooter(bytes, plainSize), f);
  assert.throws(() => decodeFooter(bytes, plainSize + 1), indexErr);
  assert.throws(() => decodeFooter(encodeFooter({ ...f, blocks: 2 }), plainSize - 8), indexErr);
  const magic = Buffer.from(bytes);
  magic[0] = 0x58;
  assert.throws(() => decodeFooter(magic, plainSize), indexErr);
  const index = Buffer.alloc(24);
  [100, 4000, 8000].forEach((v, i) => index.writeBigUInt64BE(BigInt(v), i * 8));
  assert.deepEqual(decodeIndex(index, f), [100, 4000, 8000]);
  index.writeBigUInt64BE(50n, 8);
  assert.throws(() => decodeIndex(index, f), indexErr);
});

/** Two channels of distinct tones as interleaved µ-law. */
function stereoUlaw(samples: number): Buffer {
  const a = sine(440, (samples / 8000) * 1000, 8000);
  const c = sine(1000, (samples / 8000) * 1000, 6000);
  const pcm = new Int16Array(samples * 2);
  for (let i = 0; i < samples; i++) {
    pcm[2 * i] = a[i] ?? 0;
    pcm[2 * i + 1] = c[i] ?? 0;
  }
  const law = Buffer.alloc(samples * 2);
  encodeG711('pcmu', pcm, law);
  return law;
}

function encodeAll(law: Buffer, pieces: number[], maxPageSegments?: number): Buffer {
  const w = new IndexedOpusWriter({ bitrate: 14000, complexity: 9, serial: 42, maxPageSegments });
  const out: Buffer[] = [];
  let at = 0;
  for (const n of pieces) {
    out.push(...w.push(law.subarray(at, at + n)));
    at += n;
  }
  out.push(...w.push(law.subarray(at)), ...w.finish());
  return Buffer.concat(out);
}

function parts(file: Buffer) {
  const footer = decodeFooter(file.subarray(file.length - FOOTER_BYTES), file.length);
  const index = decodeIndex(file.subarray(footer.oggLength, footer.oggLength + footer.blocks * 8), footer);
  const read = (s: number, e: number) => Promise.resolve(file.subarray(s, e));
  return { footer, index, read };
}

function decodeAll(file: Buffer): Buffer {
  const { footer, index } = parts(file);
  const dec = new StereoOpusDecoder();
  const blocks = index.map((at, b) => packetsOf(file.subarray(at, index[b + 1] ?? footer.oggLength)));
  return Buffer.concat(
    blocks.map((p, b) => decodeBlock(dec, b > 0 ? (blocks[b - 1] ?? []).slice(-PREROLL_FRAMES) : [], p)),
  );
}

test('the indexed writer: 1 s blocks on page boundaries, granules, end trimming, exact length', async () => {
  const samples = 3 * BLOCK_SAMPLES + 1234;
  const file = encodeAll(stereoUlaw(samples), []);
  const { footer, index, read } = parts(file);
  assert.equal(footer.samples, samples);
  assert.equal(footer.delay, 52, 'the encoder look-ahead at 8 kHz (6.5 ms)');
  assert.equal(footer.blocks, 4);
  const pages = [...pagesOf(file.subarray(0, footer.oggLength))];
  assert.deepEqual(
    pages.map((p) => p.offset).filter((o) => index.includes(o)),
    index,
    'every block starts a page',
  );
  const last = pages[pages.length - 1]!;
  assert.equal(last.granule, (samples + 52) * 6, 'the EOS granule trims the padding (RFC 7845 §4.5)');
  assert.equal(parseOpusHead(pages[0]!.packets[0]!).preSkip, 312);
  await checkIndexedOpus(read, footer, index);
  const decoded = decodeAll(file);
  assert.ok(decoded.length >= 2 * (samples + 52), 'the look-ahead is flushed with silence');
});

test('pushing in odd pieces (half samples included) encodes the same bytes as one push', () => {
  const law = stereoUlaw(BLOCK_SAMPLES + 500);
  assert.deepEqual(encodeAll(law, [1, 2, 333, 3200, 1]), encodeAll(law, []));
});

test('a block spread over several pages decodes like one page per block, and passes the check', async () => {
  const law = stereoUlaw(2 * BLOCK_SAMPLES + 100);
  const split = encodeAll(law, [], 20);
  const whole = encodeAll(law, []);
  const s = parts(split);
  assert.ok([...pagesOf(split.subarray(0, s.footer.oggLength))].length > 8, 'several pages per block');
  await checkIndexedOpus(s.read, s.footer, s.index);
  assert.deepEqual(decodeAll(split), decodeAll(whole));
});

test('the structural check finds an index entry inside a page and a wrong sample count', async () => {
  const file = encodeAll(stereoUlaw(2 * BLOCK_SAMPLES), []);
  const { footer, index, read } = parts(file);
  await assert.rejects(checkIndexedOpus(read, footer, [index[0]!, index[1]! + 3, index[2]!]), indexErr);
  await assert.rejects(checkIndexedOpus(read, { ...footer, samples: footer.samples - 1 }, index), indexErr);
});

test('block decoding (fresh decoders primed on the previous block) matches a continuous decode', () => {
  const n = 4 * BLOCK_SAMPLES + 300;
  const agent = concat(sine(440, 2000, 8000), speechLike(n / 8 - 2000, 120, 5));
  const customer = concat(speechLike(2000, 180, 6), sine(1000, n / 8 - 2000, 6000));
  const law = Buffer.alloc(2 * n);
  const pcm = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) {
    pcm[2 * i] = agent[i] ?? 0;
    pcm[2 * i + 1] = customer[i] ?? 0;
  }
  encodeG711('pcmu', pcm, law);
  const file = encodeAll(law, []);
  const blocked = decodeAll(file);
  const { footer, index } = parts(file);
  const d = new StereoOpusDecoder();
  const ch: [number[], number[]] = [[], []];
  for (const p of packetsOf(file.subarray(index[0], footer.oggLength))) {
    const [a, c] = d.decode(p);
    ch[0].push(...a);
    ch[1].push(...c);
  }
  assert.equal(blocked.length, 2 * ch[0].length);
  for (const k of [0, 1]) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < ch[k]!.length; i++) {
      const x = ulawToLinear(blocked[2 * i + k]!);
      const y = ch[k]![i]!;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    assert.ok(ab / Math.sqrt(aa * bb) > 0.999, `channel ${k}: ${(ab / Math.sqrt(aa * bb)).toFixed(5)}`);
  }
});

test('random access into a steady tone after a loss burst decodes the tone, without runaway', () => {
  // Ringback-like 1000 Hz with every fifth 20 ms frame lost (silence) from 1 s to 2 s, then steady: a
  // decoder started fresh at block 2 with prediction on ran away here (clipping) for 300 ms.
  const n = 4 * BLOCK_SAMPLES;
  const tone = sine(1000, n / 8, 8000);
  for (let f = 50; f < 100; f += 5) tone.fill(0, f * 160, f * 160 + 160);
  const law = Buffer.alloc(2 * n);
  const pcm = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) pcm[2 * i + 1] = tone[i] ?? 0;
  encodeG711('pcmu', pcm, law);
  const out = decodeAll(encodeAll(law, []));
  const c = Int16Array.from({ length: n }, (_, i) => ulawToLinear(out[2 * (i + 52) + 1]!));
  for (let at = 2 * BLOCK_SAMPLES; at + 400 <= 4 * BLOCK_SAMPLES - 400; at += 400) {
    assert.ok(toneRatio(c, at, 400, 1000) > 0.9, `1000 Hz share at ${at / 8} ms`);
    assert.ok(rms(c, at, at + 400) < 1.3 * 5657, `level at ${at / 8} ms: ${rms(c, at, at + 400).toFixed(0)}`);
  }
});
