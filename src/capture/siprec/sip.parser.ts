/**
 * SIP message parser (RFC 3261 §7): bytes → SipRequest | SipResponse, or a typed EcouteError.
 * Pure (STYLE.md §3): no logging, no ids, no sockets. Lenient where real SRCs are sloppy (bare LF line
 * ends, folded lines, any header case, compact forms), strict where a wrong answer would be worse than
 * none (missing Call-ID/CSeq/Via, a Content-Length longer than the datagram).
 */
import { fail, type EcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import {
  headerKey,
  header,
  parseCSeq,
  type SipHeader,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './sip.message.ts';

/** Largest SIP message accepted on any transport (a UDP datagram's limit; SIPREC INVITEs run 2–4 KB). */
export const MAX_SIP_BYTES = 65_535;

export interface ParseOptions {
  /** 'datagram' (default): the body is the rest of the packet, cut to Content-Length.
   *  'stream': Content-Length is authoritative and the caller (the framer) gave exactly the message. */
  readonly mode?: 'datagram' | 'stream';
}

/** The context of a MALFORMED error: `reason` goes into the 400's Warning; `partial` allows answering. */
export type MalformedContext = {
  readonly reason: string;
  readonly partial?: SipMessage;
};

const METHOD = /^[A-Za-z!%*_+`'~.-]+$/;
const TOKEN_NAME = /^[A-Za-z0-9!%*_+`'~.-]+$/;

export function malformed(reason: string, partial?: SipMessage): EcouteError {
  const ctx: MalformedContext = partial ? { reason, partial } : { reason };
  return fail(SipErrors.MALFORMED, `malformed SIP message: ${reason}`, ctx);
}

/** Index just past the blank line ending the headers, and the length of that separator, or -1. */
export function findHeaderEnd(buf: Buffer, from = 0): { end: number; bodyStart: number } | undefined {
  for (let i = from; i < buf.length; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return { end: i, bodyStart: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return { end: i, bodyStart: i + 3 };
  }
  return undefined;
}

/** Parses one SIP message. Throws only EcouteError (MALFORMED or TOO_LARGE). */
export function parseSipMessage(input: Buffer | string, opts: ParseOptions = {}): SipMessage {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (buf.length > MAX_SIP_BYTES)
    throw fail(SipErrors.TOO_LARGE, 'SIP message larger than 64 KiB', { bytes: buf.length });
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  const sep = findHeaderEnd(buf, start);
  // A message with no blank line is tolerated only if it has no body at all (some keep-alives).
  const headEnd = sep ? sep.end : buf.length;
  const bodyStart = sep ? sep.bodyStart : buf.length;
  const lines = unfold(buf.toString('latin1', start, headEnd));
  const first = lines.shift();
  if (!first) throw malformed('empty message');
  const headers = parseHeaders(lines);
  const skeleton = startLine(first, headers);
  const body = bodyOf(buf, bodyStart, headers, opts.mode ?? 'datagram', skeleton);
  const msg: SipMessage = { ...skeleton, body };
  validate(msg);
  return msg;
}

function unfold(head: string): string[] {
  const out: string[] = [];
  for (const raw of head.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header.
    if ((line.startsWith(' ') || line.startsWith('\t')) && out.length > 1)
      out[out.length - 1] += ' ' + line.trim();
    else out.push(line);
  }
  return out;
}

function parseHeaders(lines: readonly string[]): SipHeader[] {
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!TOKEN_NAME.test(name)) throw malformed(`bad header line "${printable(line.slice(0, 40))}"`);
    // Header values are UTF-8 on the wire (RFC 3261 §7.3.1); the head was read as latin1 to keep offsets.
    const value = Buffer.from(line.slice(colon + 1).trim(), 'latin1').toString('utf8');
    headers.push({ name, key: headerKey(name), value });
  }
  return headers;
}

type Skeleton = Omit<SipRequest, 'body'> | Omit<SipResponse, 'body'>;

function startLine(line: string, headers: SipHeader[]): Skeleton {
  const resp = /^SIP\/2\.0 +(\d{3}) *(.*)$/i.exec(line);
  if (resp?.[1]) {
    const status = Number(resp[1]);
    if (status < 100 || status > 699) throw malformed(`bad status code ${status}`);
    return { kind: 'response', status, reason: resp[2] ?? '', headers };
  }
  const parts = line.split(/ +/);
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2])
    throw malformed(`bad start line "${printable(line.slice(0, 40))}"`);
  if (!METHOD.test(parts[0])) throw malformed('bad method');
  if (parts[2].toUpperCase() !== 'SIP/2.0') throw malformed('unsupported SIP version');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(parts[1])) throw malformed('bad Request-URI');
  return { kind: 'request', method: parts[0].toUpperCase(), uri: parts[1], headers };
}

function bodyOf(buf: Buffer, bodyStart: number, headers: SipHeader[], mode: string, sk: Skeleton): Buffer {
  const lengths = headers.filter((h) => h.key === 'content-length').map((h) => h.value);
  const rest = buf.length - bodyStart;
  if (lengths.length === 0) return mode === 'stream' ? Buffer.alloc(0) : buf.subarray(bodyStart);
  const partial = { ...sk, body: Buffer.alloc(0) } as SipMessage;
  if (new Set(lengths).size > 1) throw malformed('conflicting Content-Length headers', partial);
  const text = lengths[0] ?? '';
  if (!/^\d{1,6}$/.test(text)) throw malformed('bad Content-Length', partial);
  const n = Number(text);
  // RFC 3261 §18.3: a datagram shorter than its Content-Length is discarded (answered 400 here).
  if (n > rest) throw malformed('Content-Length larger than the message', partial);
  return buf.subarray(bodyStart, bodyStart + n);
}

function validate(msg: SipMessage): void {
  const missing = ['via', 'from', 'to', 'call-id', 'cseq'].find((k) => header(msg, k) === undefined);
  if (missing) throw malformed(`missing ${missing} header`, msg);
  const cseq = parseCSeq(header(msg, 'cseq'));
  if (!cseq) throw malformed('bad CSeq', msg);
  if (msg.kind === 'request' && cseq.method !== msg.method)
    throw malformed('CSeq method differs from request method', msg);
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
