/**
 * Ogg pages (RFC 3533): building and parsing. Pure and CPU-only. Ecoute writes every packet whole inside
 * one page (a packet never continues onto the next page), so the parser refuses continued packets: a file
 * with them was not written by Ecoute.
 */
import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';

/** Header type flags (RFC 3533 §6). */
export const OGG_CONTINUED = 0x01;
export const OGG_BOS = 0x02;
export const OGG_EOS = 0x04;
/** A page holds at most 255 lacing values. */
export const OGG_MAX_SEGMENTS = 255;
const HEADER_BYTES = 27;
const ZEROS = new Uint8Array(4);

/** CRC-32 of Ogg: polynomial 0x04C11DB7, initial value 0, not reflected, no final XOR (RFC 3533 §6). */
const CRC_TABLE = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let r = i << 24;
  for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  CRC_TABLE[i] = r >>> 0;
}

export function oggCrc(bytes: Uint8Array, start = 0, end = bytes.length, init = 0): number {
  let crc = init;
  for (let i = start; i < end; i++)
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ (bytes[i] as number)) & 0xff] as number)) >>> 0;
  return crc;
}

/** Lacing values a packet of `length` bytes takes: 255 per full segment, then the remainder (maybe 0). */
export function segmentsOf(length: number): number {
  return Math.floor(length / 255) + 1;
}

export interface OggPageSpec {
  /** OGG_BOS, OGG_EOS or 0 (continued pages are never written). */
  readonly headerType: number;
  /** Granule position (for Opus: 48 kHz samples, RFC 7845 §4). */
  readonly granule: number;
  readonly serial: number;
  readonly sequence: number;
  /** Whole packets; together at most OGG_MAX_SEGMENTS lacing values. */
  readonly packets: readonly Uint8Array[];
}

/** One page holding `packets` whole, with its CRC. */
export function buildPage(p: OggPageSpec): Buffer {
  let segments = 0;
  let body = 0;
  for (const pk of p.packets) {
    segments += segmentsOf(pk.length);
    body += pk.length;
  }
  if (segments > OGG_MAX_SEGMENTS)
    throw fail(MediaErrors.OGG_INVALID, 'packets do not fit in one Ogg page', { segments });
  const page = Buffer.alloc(HEADER_BYTES + segments + body);
  page.write('OggS', 0, 'latin1');
  page.writeUInt8(0, 4);
  page.writeUInt8(p.headerType, 5);
  page.writeBigUInt64LE(BigInt(p.granule), 6);
  page.writeUInt32LE(p.serial >>> 0, 14);
  page.writeUInt32LE(p.sequence >>> 0, 18);
  page.writeUInt8(segments, 26);
  let lace = HEADER_BYTES;
  let at = HEADER_BYTES + segments;
  for (const pk of p.packets) {
    for (let left = pk.length; ; left -= 255) {
      page[lace++] = Math.min(left, 255);
      if (left < 255) break;
    }
    page.set(pk, at);
    at += pk.length;
  }
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

export interface OggPage {
  /** Where the page starts in the parsed buffer. */
  readonly offset: number;
  /** Total bytes of the page, header included. */
  readonly length: number;
  readonly headerType: number;
  readonly granule: number;
  readonly serial: number;
  readonly sequence: number;
  /** Views into the parsed buffer. */
  readonly packets: readonly Buffer[];
}

/** Parses the page at `at`; checks the capture pattern, version, CRC and that no packet is continued. */
export function parsePage(buf: Buffer, at: number): OggPage {
  const bad = (why: string) => fail(MediaErrors.OGG_INVALID, `bad Ogg page: ${why}`, { offset: at });
  if (at + HEADER_BYTES > buf.length || buf.toString('latin1', at, at + 4) !== 'OggS') throw bad('capture');
  if (buf[at + 4] !== 0) throw bad('version');
  const headerType = buf[at + 5] as number;
  if (headerType & OGG_CONTINUED) throw bad('continued packet');
  const segments = buf[at + 26] as number;
  const bodyAt = at + HEADER_BYTES + segments;
  if (bodyAt > buf.length) throw bad('short header');
  const lengths: number[] = [];
  let run = 0;
  let body = 0;
  for (let i = 0; i < segments; i++) {
    const v = buf[at + HEADER_BYTES + i] as number;
    run += v;
    body += v;
    if (v < 255) {
      lengths.push(run);
      run = 0;
    }
  }
  if (run > 0) throw bad('packet continues on the next page');
  const length = HEADER_BYTES + segments + body;
  if (at + length > buf.length) throw bad('short body');
  // The CRC is computed with its own field as zeros.
  let crc = oggCrc(buf, at, at + 22);
  crc = oggCrc(ZEROS, 0, 4, crc);
  if (oggCrc(buf, at + 26, at + length, crc) !== buf.readUInt32LE(at + 22)) throw bad('CRC');
  const granule = buf.readBigInt64LE(at + 6);
  const packets: Buffer[] = [];
  let p = bodyAt;
  for (const n of lengths) {
    packets.push(buf.subarray(p, p + n));
    p += n;
  }
  return {
    offset: at,
    length,
    headerType,
    granule: Number(granule),
    serial: buf.readUInt32LE(at + 14),
    sequence: buf.readUInt32LE(at + 18),
    packets,
  };
}

/** Every page of `buf` from `at` to its end, in order. */
export function* pagesOf(buf: Buffer, at = 0): Generator<OggPage> {
  while (at < buf.length) {
    const page = parsePage(buf, at);
    yield page;
    at += page.length;
  }
}
