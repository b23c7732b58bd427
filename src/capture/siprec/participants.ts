/**
 * Who is who (PROTOCOLS.md B.1.5): m-line → a=label → metadata stream → participant (send) → agent or
 * customer, so that the recording puts the agent on one channel and the customer on the other.
 * Rules in order: agent AOR patterns; vendor hints (Oracle callingParty, Sonus callData fromhdr,
 * Metaswitch recordedParty); participant order (first = caller); label heuristic (1 / a_leg / inbound =
 * caller); stream order. The caller is the customer on an inbound call, the agent on an outbound one. Pure.
 */
import type { Direction } from '../../policy/call-facts.ts';
import type { SdpSession } from './sdp.parser.ts';
import type { RsMetadata, RsParticipant } from './metadata.parser.ts';
import { activeParticipants } from './metadata.partial.ts';

/** How an agent's AOR is recognised: a regex on the user part or whole AOR, a user prefix, or a domain. */
export type AorPattern =
  | { readonly kind: 'regex'; readonly pattern: string }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'domain'; readonly domain: string };

export interface RoleRules {
  readonly agentAor: readonly AorPattern[];
  /** Use vendor extensions (default true). */
  readonly vendorHints?: boolean;
}

export type StreamRole = 'agent' | 'customer' | 'mixed';
export type RoleBasis =
  'aor-pattern' | 'vendor-hint' | 'participant-order' | 'label' | 'stream-order' | 'mixed';

export interface StreamAssignment {
  /** m-line index in the offer. */
  readonly index: number;
  readonly label: string | undefined;
  readonly role: StreamRole;
  readonly participantId: string | undefined;
}

export interface WhoIsWho {
  readonly streams: readonly StreamAssignment[];
  readonly agentAor: string | undefined;
  readonly customerAor: string | undefined;
  readonly mixed: boolean;
  /** Which rule decided; kept with the call as evidence of how channels were assigned. */
  readonly basis: RoleBasis;
}

/** `sip:1001@pbx.example;user=phone` → { user: '1001', host: 'pbx.example' }. */
export function splitAor(aor: string): { user: string; host: string } {
  const bare =
    aor
      .replace(/^<|>$/g, '')
      .replace(/^(sips?|tel):/i, '')
      .split(';')[0] ?? '';
  const at = bare.lastIndexOf('@');
  return at < 0
    ? { user: bare, host: '' }
    : { user: bare.slice(0, at), host: bare.slice(at + 1).split(':')[0] ?? '' };
}

export function matchesAor(aor: string | undefined, patterns: readonly AorPattern[]): boolean {
  if (!aor) return false;
  const { user, host } = splitAor(aor);
  return patterns.some((p) => {
    switch (p.kind) {
      case 'regex': {
        const re = new RegExp(p.pattern);
        return re.test(user) || re.test(aor);
      }
      case 'prefix':
        return user.startsWith(p.prefix);
      case 'domain':
        return (
          host.toLowerCase() === p.domain.toLowerCase() ||
          host.toLowerCase().endsWith('.' + p.domain.toLowerCase())
        );
    }
  });
}

const CALLER_LABELS = new Set(['1', 'a_leg', 'aleg', 'inbound', 'caller']);

/** A participant extension's text by lower-case local name (the element itself or a leaf below one). */
function ext(p: RsParticipant, name: string): string | undefined {
  return (
    p.extensions.find((e) => e.name === name)?.fields[''] ??
    p.extensions.find((e) => e.fields[name] !== undefined)?.fields[name]
  );
}

function sameUser(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const ua = splitAor(a).user.replace(/^\+/, '');
  const ub = splitAor(b.replace(/^.*</, '').replace(/>.*$/, '')).user.replace(/^\+/, '');
  return ua !== '' && ua === ub;
}

/** Vendor hints naming the caller or the agent among the participants (PROTOCOLS.md B.1.5). */
function vendorHint(
  meta: RsMetadata,
  ps: readonly RsParticipant[],
): { caller?: RsParticipant; agent?: RsParticipant } {
  // Oracle/Acme: <apkt:callingParty>true</apkt:callingParty> in the participant's extensiondata.
  const oracle = ps.find((p) => (ext(p, 'callingparty') ?? '').toLowerCase() === 'true');
  if (oracle) return { caller: oracle };
  const all = [
    ...meta.extensions,
    ...meta.groups.flatMap((g) => g.extensions),
    ...meta.sessions.flatMap((s) => s.extensions),
  ];
  // Sonus/Ribbon: <callData><fromhdr>…</fromhdr><tohdr>…</tohdr></callData> in the group.
  const from = all.find((e) => e.name === 'calldata')?.fields['fromhdr'];
  const sonus = ps.find((p) => sameUser(p.aor, from));
  if (sonus) return { caller: sonus };
  // Metaswitch (unverified value set): recordedParty names the recorded subscriber, i.e. the agent line.
  const recorded = all.flatMap(
    (e) => (e.name === 'recordedparty' ? e.fields[''] : e.fields['recordedparty']) ?? [],
  )[0];
  if (recorded) {
    const byAor = ps.find((p) => sameUser(p.aor, recorded) || p.id === recorded);
    if (byAor) return { agent: byAor };
    if (/^(caller|calling|originator)$/i.test(recorded)) return ps[0] ? { agent: ps[0] } : {};
    if (/^(callee|called|terminator)$/i.test(recorded)) return ps[1] ? { agent: ps[1] } : {};
  }
  return {};
}

function isMixed(offer: SdpSession, meta: RsMetadata | undefined): boolean {
  const audio = offer.media.filter((m) => m.media === 'audio');
  if (audio.length === 1) return true;
  return meta?.streams.some((s) => s.mode?.toLowerCase() === 'mixed') ?? false;
}

/** Assigns each audio m-line of the offer to agent, customer or mixed. */
export function assignRoles(
  offer: SdpSession,
  meta: RsMetadata | undefined,
  rules: RoleRules,
  direction: Direction,
): WhoIsWho {
  const audio = offer.media.flatMap((m, index) => (m.media === 'audio' ? [{ index, label: m.label }] : []));
  const ps = meta ? activeParticipants(meta) : [];
  const ownerOf = (label: string | undefined): RsParticipant | undefined => {
    const stream = meta?.streams.find((s) => s.label !== undefined && s.label === label);
    return stream ? ps.find((p) => p.send.includes(stream.id)) : undefined;
  };
  if (isMixed(offer, meta)) {
    const streams = audio.map((a) => ({ ...a, role: 'mixed' as const, participantId: undefined }));
    return { streams, ...aorsOf(ps, rules, direction), mixed: true, basis: 'mixed' };
  }
  const owners = audio.map((a) => ownerOf(a.label));
  const mapped =
    owners.every((o) => o !== undefined) && new Set(owners.map((o) => o?.id)).size === owners.length;
  if (mapped) {
    const owned = owners.filter((o) => o !== undefined);
    const { agent, basis } = pickAgent(owned, ps, meta ?? emptyMeta, rules, direction);
    const streams = audio.map((a, i) => ({
      ...a,
      role: owners[i] === agent ? ('agent' as const) : ('customer' as const),
      participantId: owners[i]?.id,
    }));
    const customer = owned.find((o) => o !== agent);
    return { streams, agentAor: agent?.aor, customerAor: customer?.aor, mixed: false, basis };
  }
  // No usable metadata (Cisco NBR, Avaya's dummy participant): the labels, then the m-line order.
  const callerIdx = audio.findIndex((a) => CALLER_LABELS.has((a.label ?? '').toLowerCase()));
  const basis: RoleBasis = callerIdx >= 0 ? 'label' : 'stream-order';
  const callerAt = Math.max(0, callerIdx);
  const streams = audio.map((a, i) => ({
    ...a,
    role: (i === callerAt) === callerIsAgent(direction) ? ('agent' as const) : ('customer' as const),
    participantId: undefined,
  }));
  return { streams, ...aorsOf(ps, rules, direction), mixed: false, basis };
}

function pickAgent(
  owned: readonly RsParticipant[],
  ps: readonly RsParticipant[],
  meta: RsMetadata,
  rules: RoleRules,
  direction: Direction,
): { agent: RsParticipant | undefined; basis: RoleBasis } {
  const patterned = owned.find((o) => matchesAor(o.aor, rules.agentAor));
  if (patterned) return { agent: patterned, basis: 'aor-pattern' };
  const hint = rules.vendorHints === false ? {} : vendorHint(meta, ps);
  if (hint.agent && owned.includes(hint.agent)) return { agent: hint.agent, basis: 'vendor-hint' };
  const hinted = hint.caller && owned.includes(hint.caller) ? hint.caller : undefined;
  // Participant order: the first sending participant in the document is the caller.
  const caller = hinted ?? ps.find((p) => owned.includes(p));
  const agent = callerIsAgent(direction) ? caller : owned.find((o) => o !== caller);
  return { agent, basis: hinted ? 'vendor-hint' : 'participant-order' };
}

function callerIsAgent(direction: Direction): boolean {
  return direction === 'outbound';
}

function aorsOf(
  ps: readonly RsParticipant[],
  rules: RoleRules,
  direction: Direction,
): { agentAor: string | undefined; customerAor: string | undefined } {
  const agent =
    ps.find((p) => matchesAor(p.aor, rules.agentAor)) ?? (callerIsAgent(direction) ? ps[0] : ps[1]);
  const customer = ps.find((p) => p !== agent && p.aor !== undefined);
  return { agentAor: agent?.aor, customerAor: customer?.aor };
}

const emptyMeta: RsMetadata = {
  datamode: 'complete',
  sessions: [],
  participants: [],
  streams: [],
  groups: [],
  extensions: [],
};
