import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isEcouteError, type ErrorSpec } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import {
  FLAG_FINAL,
  TAG_BYTES,
  decodeHeader,
  encodeHeader,
  keyCheckOf,
  layoutOf,
  sealChunk,
} from './container.ts';
import { ContainerReader, type RangeSource } from './container.reader.ts';

const CHUNK = 100;

function build(id: string, key: Buffer, plain: Buffer): Buffer {
  const header = encodeHeader({
    recordingId: id,
    chunkBytes: CHUNK,
    format: 'pcmu/8000/2',
    keyCheck: keyCheckOf(key),
    createdMs: 1,
  });
  const { hash } = decodeHeader(header, id);
  const parts: Buffer[] = [header];
  const n = Math.max(1, Math.ceil(plain.length / CHUNK));
  for (let i = 0; i < n; i++)
    parts.push(
      sealChunk(key, hash, i, i === n - 1 ? FLAG_FINAL : 0, plain.subarray(i * CHUNK, (i + 1) * CHUNK)),
    );
  return Buffer.concat(parts);
}

function source(b: Buffer): RangeSource & { reads: number } {
  const s = {
    size: b.length,
    reads: 0,
    read: (a: number, e: number) => (s.reads++, Promise.resolve(b.subarray(a, e))),
  };
  return s;
}

async function rejectsWith(p: Promise<unknown>, spec: ErrorSpec): Promise<void> {
  await assert.rejects(p, (e: unknown) => isEcouteError(e, spec) && e.context.recordingId === 'rec1');
}

const key = randomBytes(32);
const plain = randomBytes(1050); // 11 chunks, the last one 50 bytes
const sealed = build('rec1', key, plain);
const hdrLen = decodeHeader(sealed, 'rec1').length;
const at = (i: number) => hdrLen + i * (CHUNK + TAG_BYTES);

test('R-SEC-4: a container round-trips and any range decrypts only the chunks it needs', async () => {
  const src = source(sealed);
  const r = await ContainerReader.open(src, key, 'rec1');
  assert.equal(r.size, 1050);
  assert.equal(r.interrupted, false);
  assert.deepEqual(await r.read(0, 1050), plain);
  const before = src.reads;
  assert.deepEqual(await r.read(250, 260), plain.subarray(250, 260));
  assert.equal(src.reads - before, 1);
  assert.deepEqual(await r.read(1040, 1050), plain.subarray(1040, 1050));
  assert.deepEqual(await r.read(95, 1001), plain.subarray(95, 1001));
  await rejectsWith(r.read(0, 1051), VaultErrors.RANGE);
});

test('R-SEC-4: per-chunk overhead is the 16-byte tag only', () => {
  assert.equal(sealed.length - hdrLen - plain.length, 11 * TAG_BYTES);
  assert.deepEqual(layoutOf(hdrLen, CHUNK, sealed.length), {
    chunks: 11,
    lastPlainBytes: 50,
    plainSize: 1050,
  });
});

test('R-SEC-4: an empty recording still has an authenticated final chunk', async () => {
  const r = await ContainerReader.open(source(build('rec1', key, Buffer.alloc(0))), key, 'rec1');
  assert.equal(r.size, 0);
});

test('R-SEC-4: a flipped bit in a chunk is a typed corrupt-chunk error naming the recording', async () => {
  const bad = Buffer.from(sealed);
  bad[at(3) + 10]! ^= 1;
  const r = await ContainerReader.open(source(bad), key, 'rec1');
  await rejectsWith(r.read(300, 310), VaultErrors.CORRUPT_CHUNK);
  assert.deepEqual(await r.read(0, 300), plain.subarray(0, 300), 'other chunks still read');
});

test('R-SEC-4: two swapped chunks fail authentication', async () => {
  const bad = Buffer.from(sealed);
  sealed.copy(bad, at(2), at(5), at(6));
  sealed.copy(bad, at(5), at(2), at(3));
  const r = await ContainerReader.open(source(bad), key, 'rec1');
  await rejectsWith(r.read(200, 210), VaultErrors.CORRUPT_CHUNK);
  await rejectsWith(r.read(500, 510), VaultErrors.CORRUPT_CHUNK);
});

test('R-SEC-4: a chunk swapped in from another recording under the same key fails', async () => {
  const other = build('rec2', key, randomBytes(1050)); // same key on purpose: only the header hash differs
  const bad = Buffer.from(sealed);
  other.copy(
    bad,
    at(4),
    decodeHeader(other, 'rec2').length + 4 * (CHUNK + TAG_BYTES),
    decodeHeader(other, 'rec2').length + 5 * (CHUNK + TAG_BYTES),
  );
  const r = await ContainerReader.open(source(bad), key, 'rec1');
  await rejectsWith(r.read(400, 401), VaultErrors.CORRUPT_CHUNK);
});

test('R-SEC-4: a container stored under another recording id is refused', async () => {
  await assert.rejects(ContainerReader.open(source(sealed), key, 'rec9'), (e: unknown) =>
    isEcouteError(e, VaultErrors.BAD_HEADER),
  );
});

test('R-SEC-4: truncation at a chunk boundary or mid-chunk is detected on open', async () => {
  await rejectsWith(
    ContainerReader.open(source(sealed.subarray(0, at(7))), key, 'rec1'),
    VaultErrors.TRUNCATED,
  );
  await rejectsWith(
    ContainerReader.open(source(sealed.subarray(0, at(7) + 5)), key, 'rec1'),
    VaultErrors.TRUNCATED,
  );
  // A cut that leaves a plausible short last chunk cannot be told from a corrupt final chunk: still refused.
  await rejectsWith(
    ContainerReader.open(source(sealed.subarray(0, at(7) + 50)), key, 'rec1'),
    VaultErrors.CORRUPT_CHUNK,
  );
  await rejectsWith(
    ContainerReader.open(source(sealed.subarray(0, hdrLen)), key, 'rec1'),
    VaultErrors.TRUNCATED,
  );
});

test('R-SEC-4: the wrong data key is told apart from corruption', async () => {
  await rejectsWith(ContainerReader.open(source(sealed), randomBytes(32), 'rec1'), VaultErrors.WRONG_KEY);
});

test('a header with bad magic or version is a typed error', () => {
  const bad = Buffer.from(sealed);
  bad[4] = 9;
  assert.throws(
    () => decodeHeader(bad, 'rec1'),
    (e: unknown) => isEcouteError(e, VaultErrors.BAD_HEADER),
  );
  assert.throws(
    () => decodeHeader(Buffer.from('nope'), 'rec1'),
    (e: unknown) => isEcouteError(e, VaultErrors.BAD_HEADER),
  );
});
