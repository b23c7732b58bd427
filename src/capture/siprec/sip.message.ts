/**
 * SIP messages as typed values (RFC 3261 §7), header helpers and the serializer. Pure: no I/O, no ids.
 */

export const SIP_VERSION = 'SIP/2.0';

/** One header line as received; `key` is the lower-case long name used for lookups (compact forms expanded). */
export interface SipHeader {
  readonly name: string;
  readonly key: string;
  readonly value: string;
}

interface SipBase {
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
}

export interface SipRequest extends SipBase {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
}

export interface SipResponse extends SipBase {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 compact forms, plus `k` (Supported) and `s` (Subject). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
};

/** Headers whose value is a comma-separated list (RFC 3261 §7.3.1); others are never split. */
const LIST_HEADERS = new Set([
  'via',
  'contact',
  'route',
  'record-route',
  'require',
  'supported',
  'allow',
  'accept',
  'proxy-require',
  'unsupported',
  'content-encoding',
  'allow-events',
]);

export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return COMPACT_FORMS[lower] ?? lower;
}

/** First value of a header (the first list element for list headers), or undefined. */
export function header(msg: SipBase, name: string): string | undefined {
  return headerValues(msg, name)[0];
}

/** Every value of a header, list headers split on commas outside quotes and angle brackets. */
export function headerValues(msg: SipBase, name: string): string[] {
  const key = headerKey(name);
  const out: string[] = [];
  for (const h of msg.headers) {
    if (h.key !== key) continue;
    if (LIST_HEADERS.has(key)) out.push(...splitList(h.value));
    else out.push(h.value);
  }
  return out;
}

export function splitList(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth = Math.max(0, depth - 1);
    else if (!quoted && depth === 0 && ch === ',') {
      parts.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(value.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** Parameters after the URI part of a name-addr or a Via (`;tag=x;+sip.src`), keys lower-cased. */
export function headerParams(value: string): Map<string, string> {
  const close = value.lastIndexOf('>');
  const tail = close >= 0 ? value.slice(close + 1) : value.slice(Math.max(0, value.indexOf(';')));
  const params = new Map<string, string>();
  for (const p of tail.split(';').slice(1)) {
    const eq = p.indexOf('=');
    const k = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (k)
      params.set(
        k,
        eq < 0
          ? ''
          : p
              .slice(eq + 1)
              .trim()
              .replace(/^"|"$/g, ''),
      );
  }
  return params;
}

export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : headerParams(value).get('tag') || undefined;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

export function parseCSeq(value: string | undefined): CSeq | undefined {
  const m = /^\s*(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)\s*$/.exec(value ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  return { seq: Number(m[1]), method: m[2].toUpperCase() };
}

export interface Via {
  readonly transport: string;
  readonly host: string;
  readonly port: number | undefined;
  readonly params: Map<string, string>;
}

export function parseVia(value: string | undefined): Via | undefined {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^\s:;]+)(?::(\d+))?/i.exec(value ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  return {
    transport: m[1].toUpperCase(),
    host: m[2],
    port: m[3] ? Number(m[3]) : undefined,
    params: headerParams(value ?? ''),
  };
}

/** The top Via's branch, the transaction key of RFC 3261 §17.2.3. */
export function branchOf(msg: SipBase): string | undefined {
  return parseVia(header(msg, 'via'))?.params.get('branch') || undefined;
}

export interface BuildOptions {
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  readonly contentType?: string;
}

/** A response to `req` (RFC 3261 §8.2.6): Via, From, To (+ our tag), Call-ID and CSeq copied. */
export function buildResponse(
  req: SipRequest,
  status: number,
  reason: string,
  toTag?: string,
  opts: BuildOptions = {},
): SipResponse {
  const copied: SipHeader[] = [];
  for (const h of req.headers) {
    if (h.key === 'via' || h.key === 'from' || h.key === 'call-id' || h.key === 'cseq')
      copied.push({ name: canonicalName(h.key), key: h.key, value: h.value });
    if (h.key === 'to') {
      const value = toTag && !tagOf(h.value) ? `${h.value};tag=${toTag}` : h.value;
      copied.push({ name: 'To', key: 'to', value });
    }
    if (h.key === 'record-route' && status > 100 && status < 300)
      copied.push({ name: 'Record-Route', key: h.key, value: h.value });
  }
  return { kind: 'response', status, reason, headers: withBody(copied, opts), body: bodyOf(opts) };
}

/** A request from explicit headers (used for BYE from the SRS). */
export function buildRequest(
  method: string,
  uri: string,
  headers: readonly (readonly [string, string])[],
  opts: BuildOptions = {},
): SipRequest {
  const hs = headers.map(([name, value]) => ({ name, key: headerKey(name), value }));
  return { kind: 'request', method, uri, headers: withBody(hs, opts), body: bodyOf(opts) };
}

function bodyOf(opts: BuildOptions): Buffer {
  if (opts.body === undefined) return Buffer.alloc(0);
  return typeof opts.body === 'string' ? Buffer.from(opts.body, 'utf8') : opts.body;
}

function withBody(base: SipHeader[], opts: BuildOptions): SipHeader[] {
  const out = [...base];
  for (const [name, value] of opts.headers ?? []) out.push({ name, key: headerKey(name), value });
  if (opts.contentType && opts.body !== undefined)
    out.push({ name: 'Content-Type', key: 'content-type', value: opts.contentType });
  return out;
}

const CANONICAL: Readonly<Record<string, string>> = {
  via: 'Via',
  from: 'From',
  to: 'To',
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  contact: 'Contact',
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
  'www-authenticate': 'WWW-Authenticate',
};

function canonicalName(key: string): string {
  return (
    CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m: string, d: string, c: string) => d + c.toUpperCase())
  );
}

/** Serializes with CRLF line ends and a Content-Length computed from the body (any given one is replaced). */
export function serializeSip(msg: SipMessage): Buffer {
  const start =
    msg.kind === 'request'
      ? `${msg.method} ${msg.uri} ${SIP_VERSION}`
      : `${SIP_VERSION} ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const h of msg.headers) if (h.key !== 'content-length') lines.push(`${h.name}: ${h.value}`);
  lines.push(`Content-Length: ${msg.body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), msg.body]);
}
