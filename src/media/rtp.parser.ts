import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';

/**
 * An RTP header (RFC 3550 §5.1) as offsets into the packet buffer. The parser fills a caller-owned
 * object so the receive path allocates nothing per packet (DESIGN.md "Keeping the media path real-time").
 */
export interface RtpHeader {
  version: number;
  padding: boolean;
  extension: boolean;
  csrcCount: number;
  marker: boolean;
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** Offset of the header extension's 4-byte preamble, or -1. */
  extensionOffset: number;
  /** Profile-defined 16 bits of the extension (RFC 3550 §5.3.1), or 0. */
  extensionProfile: number;
  /** Offset of the payload in the buffer. */
  payloadOffset: number;
  /** Payload length in bytes, padding excluded. */
  payloadLength: number;
}

export function newRtpHeader(): RtpHeader {
  return {
    version: 0,
    padding: false,
    extension: false,
    csrcCount: 0,
    marker: false,
    payloadType: 0,
    sequence: 0,
    timestamp: 0,
    ssrc: 0,
    extensionOffset: -1,
    extensionProfile: 0,
    payloadOffset: 0,
    payloadLength: 0,
  };
}

/** Result codes of `tryParseRtp`: the hot path branches on a number, not on a thrown error. */
export const RtpParse = { OK: 0, TOO_SHORT: 1, VERSION: 2, PADDING: 3 } as const;
export type RtpParseResult = (typeof RtpParse)[keyof typeof RtpParse];

/** Parses `buf[offset, offset+length)` into `out`; returns a code instead of throwing. */
export function tryParseRtp(
  buf: Uint8Array,
  out: RtpHeader,
  offset = 0,
  length = buf.length - offset,
): RtpParseResult {
  if (length < 12) return RtpParse.TOO_SHORT;
  const b0 = buf[offset] as number;
  const b1 = buf[offset + 1] as number;
  out.version = b0 >> 6;
  if (out.version !== 2) return RtpParse.VERSION;
  out.padding = (b0 & 0x20) !== 0;
  out.extension = (b0 & 0x10) !== 0;
  out.csrcCount = b0 & 0x0f;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = b1 & 0x7f;
  out.sequence = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
  out.timestamp = u32(buf, offset + 4);
  out.ssrc = u32(buf, offset + 8);
  let p = offset + 12 + out.csrcCount * 4;
  const end = offset + length;
  if (p > end) return RtpParse.TOO_SHORT;
  out.extensionOffset = -1;
  out.extensionProfile = 0;
  if (out.extension) {
    if (p + 4 > end) return RtpParse.TOO_SHORT;
    out.extensionOffset = p;
    out.extensionProfile = ((buf[p] as number) << 8) | (buf[p + 1] as number);
    const words = ((buf[p + 2] as number) << 8) | (buf[p + 3] as number);
    p += 4 + words * 4;
    if (p > end) return RtpParse.TOO_SHORT;
  }
  let pad = 0;
  if (out.padding) {
    pad = buf[end - 1] as number;
    // RFC 3550 §5.1: the last octet counts itself, so 0 is invalid, and padding cannot eat the header.
    if (pad === 0 || p + pad > end) return RtpParse.PADDING;
  }
  out.payloadOffset = p;
  out.payloadLength = end - p - pad;
  return RtpParse.OK;
}

/** The throwing form, for tests and cold paths. */
export function parseRtp(buf: Uint8Array, out: RtpHeader = newRtpHeader()): RtpHeader {
  const r = tryParseRtp(buf, out);
  if (r === RtpParse.TOO_SHORT) throw fail(MediaErrors.RTP_TOO_SHORT, undefined, { length: buf.length });
  if (r === RtpParse.VERSION) throw fail(MediaErrors.RTP_VERSION, undefined, { version: out.version });
  if (r === RtpParse.PADDING) throw fail(MediaErrors.RTP_PADDING);
  return out;
}

/** CSRC number `i` (0-based) of a parsed packet. */
export function rtpCsrc(buf: Uint8Array, i: number, offset = 0): number {
  return u32(buf, offset + 12 + i * 4);
}

/** Writes a 12-byte RTP header (no CSRC, no extension) at `offset`; for tests, benches and tools. */
export function writeRtpHeader(
  buf: Uint8Array,
  h: { payloadType: number; sequence: number; timestamp: number; ssrc: number; marker?: boolean },
  offset = 0,
): number {
  buf[offset] = 0x80;
  buf[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  buf[offset + 2] = (h.sequence >> 8) & 0xff;
  buf[offset + 3] = h.sequence & 0xff;
  w32(buf, offset + 4, h.timestamp);
  w32(buf, offset + 8, h.ssrc);
  return 12;
}

function u32(b: Uint8Array, o: number): number {
  return (
    (((b[o] as number) << 24) |
      ((b[o + 1] as number) << 16) |
      ((b[o + 2] as number) << 8) |
      (b[o + 3] as number)) >>>
    0
  );
}

function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
