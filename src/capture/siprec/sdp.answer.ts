/**
 * The SRS's SDP answer (RFC 7866 §8.1.1, PROTOCOLS.md B.1.3): the same m-lines in the same order, each
 * `recvonly` (the SRS never sends media), labels echoed, one codec chosen from the offer.
 */
import type { RtpMap, SdpMedia, SdpSession } from './sdp.parser.ts';

/** Codecs the media pipeline decodes, in no particular preference: the offer's order decides. */
export const SUPPORTED_CODECS = ['PCMU', 'PCMA', 'G722'] as const;
export type SupportedCodec = (typeof SUPPORTED_CODECS)[number];

export interface AnswerOptions {
  /** Address announced in c= (IP4 or IP6 is inferred). */
  readonly address: string;
  /** The RTP port allocated for each m-line, by index; a missing port rejects that stream (port 0). */
  readonly ports: readonly number[];
  /**
   * false: the policy said no. Every stream is answered `inactive` on the discard port 9, where nothing
   * listens, so that no audio of the call ever reaches Ecoute (R-MIN-4); port 0 would reject the stream,
   * which some SRCs answer with a BYE and a retry.
   */
  readonly record: boolean;
  /** Indexes of streams paused (R-PCI-1): answered `inactive` but keep their ports. */
  readonly pausedStreams?: readonly number[];
  /** o= session id and version; the version must grow on every re-answer in a dialog (RFC 3264 §8). */
  readonly sessionId?: string;
  readonly sessionVersion?: number;
}

export interface AnsweredStream {
  readonly index: number;
  readonly label: string;
  readonly port: number;
  readonly direction: 'recvonly' | 'inactive';
  readonly codec: (RtpMap & { readonly encoding: SupportedCodec }) | undefined;
  /** PT of telephone-event in the offer (RFC 4733), if offered: kept so digits can be dropped (R-PCI-2). */
  readonly telephoneEventPt: number | undefined;
  readonly ptime: number | undefined;
}

export interface SrsAnswer {
  readonly sdp: string;
  readonly streams: readonly AnsweredStream[];
}

/** The first codec of the offer's own order that the pipeline can decode. */
export function chooseCodec(m: SdpMedia): (RtpMap & { readonly encoding: SupportedCodec }) | undefined {
  for (const r of m.rtpmaps) {
    const enc = r.encoding.toUpperCase();
    if ((SUPPORTED_CODECS as readonly string[]).includes(enc) && r.clockRate === 8000)
      return { ...r, encoding: enc as SupportedCodec };
  }
  return undefined;
}

function telephoneEvent(m: SdpMedia): RtpMap | undefined {
  return m.rtpmaps.find((r) => r.encoding.toLowerCase() === 'telephone-event' && r.clockRate === 8000);
}

function planStream(m: SdpMedia, i: number, opts: AnswerOptions): AnsweredStream {
  const label = m.label ?? String(i + 1);
  const codec = m.media === 'audio' ? chooseCodec(m) : undefined;
  const te = codec ? telephoneEvent(m) : undefined;
  const base = { index: i, label, codec, telephoneEventPt: te?.pt, ptime: m.ptime };
  const allocated = opts.ports[i];
  if (m.port === 0 || !codec || allocated === undefined || allocated <= 0)
    return { ...base, port: 0, direction: 'inactive' };
  if (!opts.record) return { ...base, port: 9, direction: 'inactive' };
  const paused = opts.pausedStreams?.includes(i) ?? false;
  // An SRC that offers inactive (Cisco CUBE's first offer) or recvonly sends nothing: mirror it.
  const silent = m.direction === 'inactive' || m.direction === 'recvonly';
  return { ...base, port: allocated, direction: paused || silent ? 'inactive' : 'recvonly' };
}

function mediaSection(m: SdpMedia, s: AnsweredStream): string[] {
  if (s.port === 0) {
    // RFC 3264 §6: a rejected stream keeps its m-line with port 0 and at least one format.
    return [`m=${m.media} 0 ${m.proto} ${m.fmts[0] ?? '0'}`, `a=label:${s.label}`, 'a=inactive'];
  }
  const pts = [s.codec, s.telephoneEventPt === undefined ? undefined : { pt: s.telephoneEventPt }]
    .filter((x) => x !== undefined)
    .map((x) => x.pt);
  const lines = [`m=${m.media} ${s.port} ${m.proto} ${pts.join(' ')}`];
  if (s.codec) lines.push(`a=rtpmap:${s.codec.pt} ${s.codec.encoding}/${s.codec.clockRate}`);
  if (s.telephoneEventPt !== undefined) {
    lines.push(`a=rtpmap:${s.telephoneEventPt} telephone-event/8000`);
    const fmtp = m.fmtp[String(s.telephoneEventPt)];
    if (fmtp) lines.push(`a=fmtp:${s.telephoneEventPt} ${fmtp}`);
  }
  if (m.ptime !== undefined) lines.push(`a=ptime:${m.ptime}`);
  lines.push(`a=label:${s.label}`, `a=${s.direction}`);
  return lines;
}

/** Builds the SRS answer to a SIPREC offer. */
export function buildSrsAnswer(offer: SdpSession, opts: AnswerOptions): SrsAnswer {
  const addrType = opts.address.includes(':') ? 'IP6' : 'IP4';
  const streams = offer.media.map((m, i) => planStream(m, i, opts));
  const lines = [
    'v=0',
    `o=Ecoute ${opts.sessionId ?? '0'} ${opts.sessionVersion ?? 0} IN ${addrType} ${opts.address}`,
    's=Ecoute',
    `c=IN ${addrType} ${opts.address}`,
    't=0 0',
  ];
  offer.media.forEach((m, i) => {
    const s = streams[i];
    if (s) lines.push(...mediaSection(m, s));
  });
  return { sdp: lines.join('\r\n') + '\r\n', streams };
}
