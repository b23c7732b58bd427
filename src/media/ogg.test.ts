import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../errors.ts';
import { MediaErrors } from './errors.ts';
import { OGG_BOS, OGG_EOS, buildPage, oggCrc, pagesOf, parsePage, segmentsOf } from './ogg.ts';

const isOgg = (e: unknown) => isEcouteError(e, MediaErrors.OGG_INVALID);

test('Ogg CRC-32: polynomial 0x04C11DB7, initial 0, no reflection, no final XOR (RFC 3533 §6)', () => {
  // CRC-32/POSIX (cksum) has the same polynomial and initial value with a final XOR; its check value for
  // "123456789" is 0x765E7680, so the Ogg CRC of the same bytes is its complement.
  assert.equal(oggCrc(Buffer.from('123456789', 'ascii')), ~0x765e7680 >>> 0);
  assert.equal(oggCrc(Buffer.alloc(0)), 0);
  const b = Buffer.from('OggS and more bytes');
  assert.equal(oggCrc(b, 4, b.length, oggCrc(b, 0, 4)), oggCrc(b), 'the CRC continues across calls');
});

test('lacing: 255 per full segment, then the remainder, with a 0 after an exact multiple of 255', () => {
  const packets = [0, 1, 254, 255, 256, 510, 600].map((n, i) => Buffer.alloc(n, i + 1));
  const page = buildPage({ headerType: OGG_BOS, granule: 960, serial: 7, sequence: 3, packets });
  const segments = page[26] as number;
  assert.deepEqual(
    [...page.subarray(27, 27 + segments)],
    [0, 1, 254, 255, 0, 255, 1, 255, 255, 0, 255, 255, 90],
  );
  assert.equal(
    segments,
    packets.reduce((n, p) => n + segmentsOf(p.length), 0),
  );
  const back = parsePage(page, 0);
  assert.deepEqual(back.packets, packets);
  assert.equal(back.granule, 960);
  assert.equal(back.serial, 7);
  assert.equal(back.sequence, 3);
  assert.equal(back.headerType, OGG_BOS);
  assert.equal(back.length, page.length);
});

test('a page of more than 255 lacing values is refused when built', () => {
  const packets = Array.from({ length: 128 }, () => Buffer.alloc(300));
  assert.throws(() => buildPage({ headerType: 0, granule: 0, serial: 1, sequence: 0, packets }), isOgg);
});

test('parsing refuses a wrong CRC, a continued packet, a bad capture pattern and a short page', () => {
  const page = buildPage({
    headerType: OGG_EOS,
    granule: 2 ** 40,
    serial: 0xfffffffe,
    sequence: 9,
    packets: [Buffer.from('hello')],
  });
  assert.equal(parsePage(page, 0).granule, 2 ** 40);
  assert.equal(parsePage(page, 0).serial, 0xfffffffe);
  const flipped = Buffer.from(page);
  flipped[flipped.length - 1]! ^= 1;
  assert.throws(() => parsePage(flipped, 0), isOgg);
  const continued = Buffer.from(page);
  continued[5] = 0x01;
  assert.throws(() => parsePage(continued, 0), isOgg);
  const unterminated = buildPage({
    headerType: 0,
    granule: 0,
    serial: 1,
    sequence: 0,
    packets: [Buffer.alloc(255)],
  });
  // Drop the terminating 0 lacing value: the packet now runs onto a next page.
  const cut = Buffer.concat([unterminated.subarray(0, 26), Buffer.from([1, 255]), unterminated.subarray(29)]);
  cut.writeUInt32LE(0, 22);
  cut.writeUInt32LE(oggCrc(cut), 22);
  assert.throws(
    () => parsePage(cut, 0),
    (e: unknown) => isOgg(e) && /continues/.test((e as Error).message),
  );
  assert.throws(() => parsePage(Buffer.from('OggT'.padEnd(40, '\0')), 0), isOgg);
  assert.throws(() => parsePage(page.subarray(0, page.length - 1), 0), isOgg);
});

test('pagesOf walks consecutive pages and reports their offsets', () => {
  const a = buildPage({
    headerType: OGG_BOS,
    granule: 0,
    serial: 5,
    sequence: 0,
    packets: [Buffer.alloc(19, 1)],
  });
  const b = buildPage({ headerType: 0, granule: 0, serial: 5, sequence: 1, packets: [Buffer.alloc(300, 2)] });
  const c = buildPage({ headerType: OGG_EOS, granule: 4, serial: 5, sequence: 2, packets: [] });
  const pages = [...pagesOf(Buffer.concat([a, b, c]))];
  assert.deepEqual(
    pages.map((p) => [p.offset, p.sequence, p.packets.length]),
    [
      [0, 0, 1],
      [a.length, 1, 1],
      [a.length + b.length, 2, 0],
    ],
  );
});
