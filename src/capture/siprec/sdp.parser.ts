/**
 * SDP (RFC 4566 / RFC 8866) parser, enough for SIPREC offers (PROTOCOLS.md B.1.2). Pure.
 * Unknown lines and attributes are kept, never rejected: over-strictness loses recordings.
 */
import { fail } from '../../errors.ts';
import { SipErrors } from './errors.ts';

export const SDP_DIRECTIONS = ['sendonly', 'recvonly', 'sendrecv', 'inactive'] as const;
export type SdpDirection = (typeof SDP_DIRECTIONS)[number];

export interface SdpConnection {
  readonly addrType: string;
  readonly address: string;
}

export interface SdpOrigin {
  readonly username: string;
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly addrType: string;
  readonly address: string;
}

export interface RtpMap {
  readonly pt: number;
  /** As written in the offer (e.g. `PCMU`, `telephone-event`). */
  readonly encoding: string;
  readonly clockRate: number;
  readonly channels: number | undefined;
}

export interface SdpAttribute {
  readonly name: string;
  readonly value: string | undefined;
}

export interface SdpMedia {
  readonly media: string;
  readonly port: number;
  readonly proto: string;
  readonly fmts: readonly string[];
  readonly connection: SdpConnection | undefined;
  /** Explicit and static (RFC 3551) payload type maps, by PT. */
  readonly rtpmaps: readonly RtpMap[];
  readonly fmtp: Readonly<Record<string, string>>;
  /** Packet time in ms, if given. */
  readonly ptime: number | undefined;
  readonly maxptime: number | undefined;
  /** Effective direction: the media's own, else the session's, else sendrecv (RFC 4566 §6). */
  readonly direction: SdpDirection;
  /** RFC 4574 `a=label` (the SIPREC stream label). */
  readonly label: string | undefined;
  readonly rtcp: string | undefined;
  /** `a=crypto` lines kept raw (SRTP-SDES is not decoded here). */
  readonly crypto: readonly string[];
  readonly attributes: readonly SdpAttribute[];
}

export interface SdpSession {
  readonly origin: SdpOrigin | undefined;
  readonly sessionName: string | undefined;
  readonly connection: SdpConnection | undefined;
  readonly direction: SdpDirection | undefined;
  readonly attributes: readonly SdpAttribute[];
  readonly media: readonly SdpMedia[];
}

/** RFC 3551 static payload types ever seen from SRCs. */
const STATIC_PTS: Readonly<Record<number, readonly [string, number]>> = {
  0: ['PCMU', 8000],
  3: ['GSM', 8000],
  4: ['G723', 8000],
  8: ['PCMA', 8000],
  9: ['G722', 8000],
  18: ['G729', 8000],
};

interface MediaDraft {
  media: string;
  port: number;
  proto: string;
  fmts: string[];
  connection: SdpConnection | undefined;
  attributes: SdpAttribute[];
}

function sdpError(reason: string): Error {
  return fail(SipErrors.SDP_MALFORMED, `malformed SDP: ${reason}`, { reason });
}

function parseConnection(v: string): SdpConnection {
  const m = /^IN\s+(IP4|IP6)\s+(\S+)/i.exec(v);
  if (!m?.[1] || !m[2]) throw sdpError('bad c= line');
  // Multicast TTL/count suffixes (`/127`) are cut: SIPREC is unicast.
  return { addrType: m[1].toUpperCase(), address: m[2].split('/')[0] ?? m[2] };
}

function parseOrigin(v: string): SdpOrigin | undefined {
  const p = v.trim().split(/\s+/);
  if (p.length < 6) return undefined;
  return { username: p[0]!, sessionId: p[1]!, sessionVersion: p[2]!, addrType: p[4]!, address: p[5]! };
}

function parseMediaLine(v: string): MediaDraft {
  const m = /^(\S+)\s+(\d{1,5})(?:\/\d+)?\s+(\S+)((?:\s+\S+)*)\s*$/.exec(v);
  if (!m?.[1] || !m[2] || !m[3]) throw sdpError('bad m= line');
  const port = Number(m[2]);
  if (port > 65535) throw sdpError('m= port out of range');
  const fmts = (m[4] ?? '').trim().split(/\s+/).filter(Boolean);
  return { media: m[1], port, proto: m[3], fmts, connection: undefined, attributes: [] };
}

function parseAttribute(v: string): SdpAttribute {
  const colon = v.indexOf(':');
  return colon < 0
    ? { name: v.trim(), value: undefined }
    : { name: v.slice(0, colon).trim(), value: v.slice(colon + 1).trim() };
}

function directionOf(attrs: readonly SdpAttribute[]): SdpDirection | undefined {
  let dir: SdpDirection | undefined;
  for (const a of attrs)
    if ((SDP_DIRECTIONS as readonly string[]).includes(a.name)) dir = a.name as SdpDirection;
  return dir;
}

function num(v: string | undefined): number | undefined {
  const n = v === undefined ? NaN : Number.parseFloat(v);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function finishMedia(d: MediaDraft, session: { direction: SdpDirection | undefined }): SdpMedia {
  const rtpmaps = new Map<number, RtpMap>();
  for (const f of d.fmts) {
    const st = STATIC_PTS[Number(f)];
    if (/^\d+$/.test(f) && st)
      rtpmaps.set(Number(f), { pt: Number(f), encoding: st[0], clockRate: st[1], channels: undefined });
  }
  const fmtp: Record<string, string> = {};
  let label: string | undefined;
  let rtcp: string | undefined;
  let ptime: number | undefined;
  let maxptime: number | undefined;
  const crypto: string[] = [];
  for (const a of d.attributes) {
    const value = a.value ?? '';
    if (a.name === 'rtpmap') {
      const m = /^(\d{1,3})\s+([^/\s]+)\/(\d+)(?:\/(\d+))?/.exec(value);
      if (m?.[1] && m[2] && m[3])
        rtpmaps.set(Number(m[1]), {
          pt: Number(m[1]),
          encoding: m[2],
          clockRate: Number(m[3]),
          channels: m[4] ? Number(m[4]) : undefined,
        });
    } else if (a.name === 'fmtp') {
      const sp = value.indexOf(' ');
      if (sp > 0) fmtp[value.slice(0, sp)] = value.slice(sp + 1).trim();
    } else if (a.name === 'label') label = value;
    else if (a.name === 'rtcp') rtcp = value;
    else if (a.name === 'ptime') ptime = num(value);
    else if (a.name === 'maxptime') maxptime = num(value);
    else if (a.name === 'crypto') crypto.push(value);
  }
  return {
    media: d.media,
    port: d.port,
    proto: d.proto,
    fmts: d.fmts,
    connection: d.connection,
    rtpmaps: d.fmts.flatMap((f) => rtpmaps.get(Number(f)) ?? []),
    fmtp,
    ptime,
    maxptime,
    direction: directionOf(d.attributes) ?? session.direction ?? 'sendrecv',
    label,
    rtcp,
    crypto,
    attributes: d.attributes,
  };
}

/** Parses an SDP body. Throws EcouteError SDP_MALFORMED on a broken line or when there is no m= line. */
export function parseSdp(input: string | Buffer): SdpSession {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  let origin: SdpOrigin | undefined;
  let sessionName: string | undefined;
  let connection: SdpConnection | undefined;
  const sessionAttrs: SdpAttribute[] = [];
  const drafts: MediaDraft[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.length < 2 || line[1] !== '=' || !/[a-z]/.test(line[0] ?? ''))
      throw sdpError('a line is not type=value');
    const type = line[0];
    const value = line.slice(2);
    const current = drafts[drafts.length - 1];
    if (type === 'm') drafts.push(parseMediaLine(value));
    else if (type === 'c') {
      if (current) current.connection = parseConnection(value);
      else connection = parseConnection(value);
    } else if (type === 'a') (current ? current.attributes : sessionAttrs).push(parseAttribute(value));
    else if (type === 'o' && !current) origin = parseOrigin(value);
    else if (type === 's' && !current) sessionName = value;
  }
  if (drafts.length === 0) throw sdpError('no m= line');
  const direction = directionOf(sessionAttrs);
  const media = drafts.map((d) => finishMedia(d, { direction }));
  return { origin, sessionName, connection, direction, attributes: sessionAttrs, media };
}

/** The address RTP for a media line comes from: its own c=, else the session's. */
export function mediaAddress(session: SdpSession, m: SdpMedia): string | undefined {
  return (m.connection ?? session.connection)?.address;
}
