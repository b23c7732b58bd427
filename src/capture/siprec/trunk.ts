/**
 * Per-trunk mapping (docs/siprec.md "Trunks"): where each call fact comes from on a given SRC (agent,
 * queue, direction, caller notice), and which AORs are agents. Produces the protocol part of CallFacts;
 * the agent AOR or extension is resolved to an agent id by the directory later. Pure.
 */
import type { Direction } from '../../policy/call-facts.ts';
import { header, type SipRequest } from './sip.message.ts';
import type { RsMetadata } from './metadata.parser.ts';
import type { AorPattern, WhoIsWho } from './participants.ts';
import { splitAor } from './participants.ts';

/** Where one fact is read: a SIP header of the INVITE, a metadata extension leaf, or the agent's AOR. */
export type FactSource =
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'extension'; readonly extension: string }
  | { readonly kind: 'agentAor' };

/** R-CAL-1: how Ecoute learns that the caller notice was played and ended. */
export type NoticeSource =
  | { readonly kind: 'header'; readonly header: string }
  | { readonly kind: 'extension'; readonly extension: string }
  | {
      readonly kind: 'attestation';
      /** Notice version the IVR plays. */
      readonly version: number;
      readonly attestedBy: string;
      readonly attestedAt: string;
      readonly text: string;
    };

export interface TrunkConfig {
  readonly id: string;
  /** Source addresses (IPv4 CIDR or exact address) and/or a header that identify the trunk. */
  readonly match: {
    readonly sources: readonly string[];
    readonly header?: { readonly name: string; readonly value: string };
  };
  readonly agentAor: readonly AorPattern[];
  readonly agentId: readonly FactSource[];
  readonly queue: readonly FactSource[];
  readonly direction: { readonly sources: readonly FactSource[]; readonly default: Direction };
  readonly notice: readonly NoticeSource[];
  readonly vendorHints: boolean;
}

/** Evidence of the caller notice, stored with the call (R-CAL-1). */
export type NoticeEvidence =
  | { readonly source: 'header' | 'extension'; readonly trunk: string; readonly raw: string }
  | {
      readonly source: 'attestation';
      readonly trunk: string;
      readonly attestedBy: string;
      readonly attestedAt: string;
      readonly text: string;
    }
  | { readonly source: 'none'; readonly trunk: string };

/** The protocol part of CallFacts, before the directory resolves the agent. */
export interface SiprecFacts {
  readonly trunkId: string;
  /** What identifies the agent: an id from a header/extension, or the AOR user part (an extension). */
  readonly agentRef: { readonly kind: 'id' | 'aor'; readonly value: string } | undefined;
  readonly queue: string | undefined;
  readonly direction: Direction;
  readonly noticePlayed: boolean;
  readonly noticeVersion: number | undefined;
  readonly noticeEndedAt: number | undefined;
  readonly objectionSignalled: boolean;
  readonly noticeEvidence: NoticeEvidence;
}

/** The trunk used when none matches: roles by order, inbound, no notice (so no recording, R-CAL-1). */
export const DEFAULT_TRUNK: TrunkConfig = {
  id: 'default',
  match: { sources: [] },
  agentAor: [],
  agentId: [{ kind: 'agentAor' }],
  queue: [],
  direction: { sources: [], default: 'inbound' },
  notice: [],
  vendorHints: true,
};

function ipv4ToInt(ip: string): number | undefined {
  const p = ip.split('.');
  if (p.length !== 4 || !p.every((x) => /^\d{1,3}$/.test(x) && Number(x) < 256)) return undefined;
  return p.reduce((acc, x) => acc * 256 + Number(x), 0);
}

export function addressMatches(address: string, rule: string): boolean {
  const bare = address.replace(/^::ffff:/i, '');
  const [net, bits] = rule.split('/');
  if (bits === undefined) return bare === rule || address === rule;
  const a = ipv4ToInt(bare);
  const n = ipv4ToInt(net ?? '');
  const b = Number(bits);
  if (a === undefined || n === undefined || !(b >= 0 && b <= 32)) return false;
  const size = 2 ** (32 - b);
  return Math.floor(a / size) === Math.floor(n / size);
}

/** The first trunk whose header or source address matches; DEFAULT_TRUNK otherwise. */
export function matchTrunk(
  trunks: readonly TrunkConfig[],
  remoteAddress: string,
  req: SipRequest,
): TrunkConfig {
  for (const t of trunks) {
    const h = t.match.header;
    if (h && header(req, h.name)?.trim() === h.value) return t;
    if (t.match.sources.some((s) => addressMatches(remoteAddress, s))) return t;
  }
  return DEFAULT_TRUNK;
}

/** An extension leaf by dotted lower-case local-name path, searched in every extension of the metadata. */
export function extensionValue(meta: RsMetadata | undefined, path: string): string | undefined {
  if (!meta) return undefined;
  const key = path.toLowerCase();
  const [head, ...rest] = key.split('.');
  const all = [
    ...meta.extensions,
    ...meta.groups.flatMap((g) => g.extensions),
    ...meta.sessions.flatMap((s) => s.extensions),
    ...meta.participants.flatMap((p) => p.extensions),
  ];
  for (const e of all) {
    if (e.name === head && e.fields[rest.join('.')] !== undefined) return e.fields[rest.join('.')];
    if (e.fields[key] !== undefined) return e.fields[key];
  }
  return undefined;
}

function readFact(
  src: FactSource,
  req: SipRequest,
  meta: RsMetadata | undefined,
  who: WhoIsWho,
): string | undefined {
  switch (src.kind) {
    case 'header':
      return header(req, src.header)?.trim() || undefined;
    case 'extension':
      return extensionValue(meta, src.extension);
    case 'agentAor':
      return who.agentAor ? splitAor(who.agentAor).user || undefined : undefined;
  }
}

function firstFact(
  srcs: readonly FactSource[],
  req: SipRequest,
  meta: RsMetadata | undefined,
  who: WhoIsWho,
) {
  for (const s of srcs) {
    const v = readFact(s, req, meta, who);
    if (v !== undefined) return { value: v, source: s };
  }
  return undefined;
}

/** `version=2;ended=2026-11-02T09:00:05Z;objected=1` (the X-Ecoute-Notice header set by the IVR). */
export function parseNoticeValue(raw: string): { version?: number; endedAt?: number; objected: boolean } {
  const params = new Map(
    raw.split(/[;,]/).map((kv) => {
      const eq = kv.indexOf('=');
      return [
        kv
          .slice(0, eq < 0 ? kv.length : eq)
          .trim()
          .toLowerCase(),
        eq < 0 ? '' : kv.slice(eq + 1).trim(),
      ] as const;
    }),
  );
  const version = Number(params.get('version'));
  const ended = Date.parse(params.get('ended') ?? '');
  const objected = ['1', 'true', 'yes'].includes((params.get('objected') ?? '').toLowerCase());
  return {
    ...(Number.isInteger(version) && version > 0 ? { version } : {}),
    ...(Number.isFinite(ended) ? { endedAt: ended } : {}),
    objected,
  };
}

function noticeFacts(t: TrunkConfig, req: SipRequest, meta: RsMetadata | undefined, nowMs: number) {
  for (const n of t.notice) {
    if (n.kind === 'attestation') {
      // R-CAL-1: the IVR always plays the notice before connecting, so it ended before this INVITE.
      return {
        noticePlayed: true,
        noticeVersion: n.version,
        noticeEndedAt: nowMs,
        objectionSignalled: false,
        noticeEvidence: {
          source: 'attestation' as const,
          trunk: t.id,
          attestedBy: n.attestedBy,
          attestedAt: n.attestedAt,
          text: n.text,
        },
      };
    }
    const raw = n.kind === 'header' ? header(req, n.header) : extensionValue(meta, n.extension);
    if (raw === undefined) continue;
    const v = parseNoticeValue(raw);
    // A notice without an end time is not proof that it ended: not played (R-CAL-1).
    const played = v.version !== undefined && v.endedAt !== undefined;
    return {
      noticePlayed: played,
      noticeVersion: v.version,
      noticeEndedAt: v.endedAt,
      objectionSignalled: v.objected,
      noticeEvidence: { source: n.kind, trunk: t.id, raw },
    };
  }
  return {
    noticePlayed: false,
    noticeVersion: undefined,
    noticeEndedAt: undefined,
    objectionSignalled: false,
    noticeEvidence: { source: 'none' as const, trunk: t.id },
  };
}

/** Reads the protocol facts of a SIPREC INVITE through the trunk's mapping. */
export function siprecFacts(
  t: TrunkConfig,
  req: SipRequest,
  meta: RsMetadata | undefined,
  who: WhoIsWho,
  nowMs: number,
): SiprecFacts {
  const agent = firstFact(t.agentId, req, meta, who);
  const dir = firstFact(t.direction.sources, req, meta, who)?.value.toLowerCase();
  const direction: Direction =
    dir && /^(out|outbound|outgoing|originating|orig)$/.test(dir)
      ? 'outbound'
      : dir && /^(in|inbound|incoming|terminating|term)$/.test(dir)
        ? 'inbound'
        : t.direction.default;
  return {
    trunkId: t.id,
    agentRef: agent
      ? { kind: agent.source.kind === 'agentAor' ? 'aor' : 'id', value: agent.value }
      : undefined,
    queue: firstFact(t.queue, req, meta, who)?.value,
    direction,
    ...noticeFacts(t, req, meta, nowMs),
  };
}
