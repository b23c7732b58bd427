/**
 * SIPREC recording metadata (RFC 7865, plus the legacy and vendor forms of PROTOCOLS.md B.1.5). Pure.
 * Elements and attributes are matched by LOCAL name: namespaces and prefixes (`tns:`, none, `:1` or not,
 * BroadWorks' `recording_metadata`) are ignored. DOCTYPE and ENTITY declarations are refused before
 * parsing and entities are never processed: no external entity resolution, no entity-bomb expansion.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { fail } from '../../errors.ts';
import { SipErrors } from './errors.ts';

export type Datamode = 'complete' | 'partial';

/** A vendor extension element, kept raw (Oracle apkt:*, Sonus callData, Metaswitch, NICE…). */
export interface RsExtension {
  /** Local name of the element (prefix removed). */
  readonly name: string;
  /** The element re-serialized as XML, prefixes kept. */
  readonly xml: string;
  /** Leaf texts by dotted lower-case local-name path below the element (`fromhdr`, `a.b`, `@attr`); the
   *  element's own text under `''`. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface RsParticipant {
  readonly id: string;
  readonly aor: string | undefined;
  readonly name: string | undefined;
  readonly send: readonly string[];
  readonly recv: readonly string[];
  readonly associateTime: string | undefined;
  readonly disassociateTime: string | undefined;
  readonly extensions: readonly RsExtension[];
}

export interface RsStream {
  readonly id: string;
  readonly label: string | undefined;
  readonly sessionId: string | undefined;
  /** Legacy `mode` element: `separate` or `mixed`. */
  readonly mode: string | undefined;
}

export interface RsSession {
  readonly id: string;
  readonly sipSessionId: string | undefined;
  readonly groupRef: string | undefined;
  readonly startTime: string | undefined;
  readonly extensions: readonly RsExtension[];
}

export interface RsGroup {
  readonly id: string;
  readonly associateTime: string | undefined;
  readonly extensions: readonly RsExtension[];
}

export interface RsMetadata {
  readonly datamode: Datamode;
  readonly sessions: readonly RsSession[];
  /** In document order: the first is the caller when nothing better is known. */
  readonly participants: readonly RsParticipant[];
  readonly streams: readonly RsStream[];
  readonly groups: readonly RsGroup[];
  /** Unknown children of the root element. */
  readonly extensions: readonly RsExtension[];
}

type XNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
});

const MAX_METADATA_BYTES = 65_536;

function local(name: string): string {
  const colon = name.indexOf(':');
  return (colon >= 0 ? name.slice(colon + 1) : name).toLowerCase();
}

function metaError(reason: string): Error {
  return fail(SipErrors.METADATA_MALFORMED, `malformed recording metadata: ${reason}`, { reason });
}

/** Child element nodes of `node` whose local name is `name` (any prefix). */
function kids(node: XNode, name: string): XNode[] {
  const out: XNode[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_') || k === '#text' || local(k) !== name || !Array.isArray(v)) continue;
    for (const item of v as unknown[])
      out.push(typeof item === 'object' && item !== null ? (item as XNode) : { '#text': String(item) });
  }
  return out;
}

/** Decodes only XML's five predefined entities and character references: nothing user-declared. */
function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });
}

function text(node: XNode | undefined): string | undefined {
  const t = node?.['#text'];
  return typeof t === 'string' || typeof t === 'number' ? decode(String(t)) || undefined : undefined;
}

function childText(node: XNode, name: string): string | undefined {
  return text(kids(node, name)[0]);
}

function attr(node: XNode, ...names: string[]): string | undefined {
  for (const want of names)
    for (const [k, v] of Object.entries(node))
      if (k.startsWith('@_') && local(k.slice(2)) === want && typeof v === 'string') return decode(v);
  return undefined;
}

function leafFields(node: XNode, prefix: string, out: Record<string, string>): void {
  const t = text(node);
  if (t !== undefined) out[prefix] ??= t;
  for (const [k, v] of Object.entries(node)) {
    if (k === '#text') continue;
    if (k.startsWith('@_')) {
      if (typeof v === 'string') out[`${prefix ? prefix + '.' : ''}@${local(k.slice(2))}`] ??= decode(v);
      continue;
    }
    if (!Array.isArray(v)) continue;
    for (const item of v as unknown[]) {
      const child = typeof item === 'object' && item !== null ? (item as XNode) : { '#text': String(item) };
      leafFields(child, prefix ? `${prefix}.${local(k)}` : local(k), out);
    }
  }
}

/** Children of `node` not named in `known`, plus the children of `extensiondata`, as extensions. */
function extensionsOf(node: XNode, known: ReadonlySet<string>): RsExtension[] {
  const out: RsExtension[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@_') || k === '#text' || !Array.isArray(v)) continue;
    if (local(k) === 'extensiondata') {
      for (const ext of v as unknown[])
        if (typeof ext === 'object' && ext !== null) out.push(...extensionsOf(ext as XNode, new Set()));
      continue;
    }
    if (known.has(local(k))) continue;
    for (const item of v as unknown[]) {
      const el = typeof item === 'object' && item !== null ? (item as XNode) : { '#text': String(item) };
      const fields: Record<string, string> = {};
      leafFields(el, '', fields);
      out.push({ name: local(k), xml: String(builder.build({ [k]: [el] })), fields });
    }
  }
  return out;
}

const PARTICIPANT_KNOWN = new Set([
  'nameid',
  'aor',
  'name',
  'send',
  'recv',
  'associate-time',
  'disassociate-time',
]);

function participantOf(p: XNode): RsParticipant | undefined {
  const id = attr(p, 'participant_id', 'id');
  if (!id) return undefined;
  const nameId = kids(p, 'nameid')[0];
  return {
    id,
    aor: (nameId && attr(nameId, 'aor')) ?? childText(p, 'aor'),
    name: (nameId && childText(nameId, 'name')) ?? childText(p, 'name'),
    send: kids(p, 'send').flatMap((n) => text(n) ?? []),
    recv: kids(p, 'recv').flatMap((n) => text(n) ?? []),
    associateTime: childText(p, 'associate-time'),
    disassociateTime: childText(p, 'disassociate-time'),
    extensions: extensionsOf(p, PARTICIPANT_KNOWN),
  };
}

function rootOf(doc: XNode): XNode {
  for (const name of ['recording', 'recording_metadata']) {
    const r = kids(doc, name)[0];
    if (r) return r;
  }
  throw metaError('no recording element');
}

function checkText(xml: string): void {
  if (xml.length > MAX_METADATA_BYTES) throw metaError('document larger than 64 KiB');
  // Refused outright rather than configured away: no DTD means no external entity and no entity bomb.
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml))
    throw fail(
      SipErrors.METADATA_FORBIDDEN_DTD,
      'recording metadata with a DOCTYPE or ENTITY declaration refused',
    );
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw metaError(`not well-formed XML (line ${valid.err.line})`);
}

const ROOT_KNOWN = new Set([
  'datamode',
  'group',
  'session',
  'participant',
  'stream',
  'participantstreamassoc',
  'participantsessionassoc',
  'sessionrecordingassoc',
]);

/** Parses RS metadata (`application/rs-metadata+xml` or legacy `application/rs-metadata`). */
export function parseRsMetadata(input: string | Buffer): RsMetadata {
  const xml = typeof input === 'string' ? input : input.toString('utf8');
  checkText(xml);
  let doc: XNode;
  try {
    doc = parser.parse(xml) as XNode;
  } catch (e) {
    throw fail(SipErrors.METADATA_MALFORMED, 'malformed recording metadata', { reason: 'parser' }, e);
  }
  const root = rootOf(doc);
  const mode = childText(root, 'datamode')?.toLowerCase();
  const participants = kids(root, 'participant').flatMap((p) => participantOf(p) ?? []);
  const byId = new Map(participants.map((p) => [p.id, p]));
  // RFC 7865 §6.8: participantstreamassoc carries send/recv; participantsessionassoc the times.
  for (const a of kids(root, 'participantstreamassoc')) mergeAssoc(byId, a, true);
  for (const a of kids(root, 'participantsessionassoc')) mergeAssoc(byId, a, false);
  return {
    datamode: mode === 'partial' ? 'partial' : 'complete',
    sessions: kids(root, 'session').flatMap((s) => sessionOf(s) ?? []),
    // Map order: document order, then participants known only from an association.
    participants: [...byId.values()],
    streams: kids(root, 'stream').flatMap((s) => streamOf(s) ?? []),
    groups: kids(root, 'group').flatMap((g) => groupOf(g) ?? []),
    extensions: extensionsOf(root, ROOT_KNOWN),
  };
}

function mergeAssoc(byId: Map<string, RsParticipant>, a: XNode, streams: boolean): void {
  const id = attr(a, 'participant_id', 'id');
  if (!id) return;
  const p: RsParticipant = byId.get(id) ?? {
    id,
    aor: undefined,
    name: undefined,
    send: [],
    recv: [],
    associateTime: undefined,
    disassociateTime: undefined,
    extensions: [],
  };
  if (streams) {
    const send = kids(a, 'send').flatMap((n) => text(n) ?? []);
    const recv = kids(a, 'recv').flatMap((n) => text(n) ?? []);
    byId.set(id, {
      ...p,
      send: [...new Set([...p.send, ...send])],
      recv: [...new Set([...p.recv, ...recv])],
    });
  } else {
    byId.set(id, {
      ...p,
      associateTime: childText(a, 'associate-time') ?? p.associateTime,
      disassociateTime: childText(a, 'disassociate-time') ?? p.disassociateTime,
    });
  }
}

function sessionOf(s: XNode): RsSession | undefined {
  const id = attr(s, 'session_id', 'id');
  if (!id) return undefined;
  return {
    id,
    sipSessionId: childText(s, 'sipsessionid'),
    groupRef: childText(s, 'group-ref'),
    startTime: childText(s, 'start-time'),
    extensions: extensionsOf(
      s,
      new Set(['sipsessionid', 'group-ref', 'start-time', 'associate-time', 'stop-time']),
    ),
  };
}

function streamOf(s: XNode): RsStream | undefined {
  const id = attr(s, 'stream_id', 'id');
  if (!id) return undefined;
  return {
    id,
    label: childText(s, 'label'),
    sessionId: attr(s, 'session_id', 'session'),
    mode: childText(s, 'mode'),
  };
}

function groupOf(g: XNode): RsGroup | undefined {
  const id = attr(g, 'group_id', 'id');
  if (!id) return undefined;
  return {
    id,
    associateTime: childText(g, 'associate-time'),
    extensions: extensionsOf(g, new Set(['associate-time'])),
  };
}
