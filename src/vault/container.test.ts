import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isEcouteError, type ErrorSpec } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import {
  DOMAIN_ENCODED,
  DOMAIN_SPOOL,
  FLAG_FINAL,
  TAG_BYTES,
  chunkKeyOf,
  decodeHeader,
  encodeHeader,
  keyCheckOf,
  layoutOf,
  openChunk,
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

/** A container written by the version-1 code as it was before nonce domains existed (40 bytes, C = 16). */
const GOLDEN_V1 =
  '4543565401000031000000100000018bcfe568006d93eebb96e5b82c08676f6c64656e2d310b70636d752f383030302f320e' +
  '99ffb121955dbe20e5dba2a4cd97b21ac2e468852ba1f0cd4aaae614ff1ea245a32543a0fd1e4d76b393dee0976c8cdae747' +
  'd5ec725b9a756e497a1a316901e1f0d1f1f425b9a5bb406852bcb1eb02adb3341407454528';

test('R-SEC-4: containers sealed before nonce domains (domain 0) still open, byte for byte', async () => {
  const goldenKey = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  const r = await ContainerReader.open(source(Buffer.from(GOLDEN_V1, 'hex')), goldenKey, 'golden-1');
  assert.equal(r.header.domain, DOMAIN_SPOOL);
  assert.equal(r.header.salt, undefined);
  assert.deepEqual(await r.read(0, 40), Buffer.from(Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff)));
});

function buildEncoded(id: string, dataKey: Buffer, body: Buffer, salt: string): Buffer {
  const header = encodeHeader({
    recordingId: id,
    chunkBytes: CHUNK,
    format: 'opus/8000/2',
    keyCheck: keyCheckOf(dataKey),
    createdMs: 1,
    domain: DOMAIN_ENCODED,
    salt,
  });
  const decoded = decodeHeader(header, id);
  const k = chunkKeyOf(dataKey, decoded.header);
  const parts: Buffer[] = [header];
  const n = Math.max(1, Math.ceil(body.length / CHUNK));
  for (let i = 0; i < n; i++)
    parts.push(
      sealChunk(
        k,
        decoded.hash,
        i,
        i === n - 1 ? FLAG_FINAL : 0,
        body.subarray(i * CHUNK, (i + 1) * CHUNK),
        1,
      ),
    );
  return Buffer.concat(parts);
}

test('R-SEC-4: a re-encoded container (domain 1) never reuses a nonce of its spool under the same data key', async () => {
  const saltA = randomBytes(16).toString('hex');
  const saltB = randomBytes(16).toString('hex');
  const a = buildEncoded('rec1', key, plain, saltA);
  const b = buildEncoded('rec1', key, plain, saltB);
  const ha = decodeHeader(a, 'rec1');
  assert.equal(a[5], DOMAIN_ENCODED, 'header byte 5 is the nonce domain');
  assert.equal(ha.header.salt, saltA);
  const r = await ContainerReader.open(source(a), key, 'rec1');
  assert.deepEqual(
    await r.read(0, plain.length),
    plain,
    'same data key opens it (the key check is the data key)',
  );
  // The same plaintext chunk at the same index: the spool's domain 0 and two sealing attempts all differ.
  const c0 = sealed.subarray(at(0), at(1));
  const ca = a.subarray(ha.length, ha.length + CHUNK + TAG_BYTES);
  const hb = decodeHeader(b, 'rec1');
  const cb = b.subarray(hb.length, hb.length + CHUNK + TAG_BYTES);
  assert.notDeepEqual(ca, c0);
  assert.notDeepEqual(ca, cb, 'a second attempt (new salt) shares no keystream with the first');
  // A domain-1 chunk does not open as domain 0 under the data key, nor in domain 1 under the data key itself.
  assert.equal(openChunk(key, ha.hash, 0, 0, ca), undefined);
  assert.equal(openChunk(key, ha.hash, 0, 0, ca, DOMAIN_ENCODED), undefined);
  assert.deepEqual(
    openChunk(chunkKeyOf(key, ha.header), ha.hash, 0, 0, ca, DOMAIN_ENCODED),
    plain.subarray(0, CHUNK),
  );
});

test('R-SEC-4: a domain byte changed in the header, or a missing salt, is refused', () => {
  const a = buildEncoded('rec1', key, plain, randomBytes(16).toString('hex'));
  const downgraded = Buffer.from(a);
  downgraded[5] = 0;
  assert.throws(
    () => decodeHeader(downgraded, 'rec1'),
    (e: unknown) => isEcouteError(e, VaultErrors.BAD_HEADER),
  );
  const unknown = Buffer.from(a);
  unknown[5] = 2;
  assert.throws(
    () => decodeHeader(unknown, 'rec1'),
    (e: unknown) => isEcouteError(e, VaultErrors.BAD_HEADER),
  );
  assert.throws(
    () =>
      encodeHeader({
        recordingId: 'rec1',
        chunkBytes: CHUNK,
        format: 'opus/8000/2',
        keyCheck: keyCheckOf(key),
        createdMs: 1,
        domain: DOMAIN_ENCODED,
      }),
    (e: unknown) => isEcouteError(e, VaultErrors.FORMAT),
  );
});
