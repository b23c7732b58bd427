/**
 * Reads the `trunks:` list (a YAML file, docs/siprec.md) into validated TrunkConfig values. Every error
 * names the trunk and the field (STYLE.md §7).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fail } from '../../errors.ts';
import { DIRECTIONS, type Direction } from '../../policy/call-facts.ts';
import { SipErrors } from './errors.ts';
import type { AorPattern } from './participants.ts';
import type { FactSource, NoticeSource, TrunkConfig } from './trunk.ts';

type Obj = Record<string, unknown>;

function bad(trunk: string, field: string, expected: string): never {
  throw fail(SipErrors.TRUNK_CONFIG_INVALID, `trunk ${trunk}: field ${field} must be ${expected}`, {
    trunk,
    field,
    expected,
  });
}

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function list(t: string, field: string, v: unknown): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return bad(t, field, 'a list');
  return v;
}

function str(t: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') return bad(t, field, 'a non-empty string');
  return v;
}

function aorPattern(t: string, i: number, v: unknown): AorPattern {
  const f = `agentAor[${i}]`;
  if (!isObj(v)) return bad(t, f, 'one of {regex}, {prefix}, {domain}');
  if (v['regex'] !== undefined) {
    const pattern = str(t, `${f}.regex`, v['regex']);
    try {
      new RegExp(pattern);
    } catch {
      return bad(t, `${f}.regex`, 'a valid regular expression');
    }
    return { kind: 'regex', pattern };
  }
  if (v['prefix'] !== undefined) return { kind: 'prefix', prefix: str(t, `${f}.prefix`, v['prefix']) };
  if (v['domain'] !== undefined) return { kind: 'domain', domain: str(t, `${f}.domain`, v['domain']) };
  return bad(t, f, 'one of {regex}, {prefix}, {domain}');
}

function factSource(t: string, field: string, v: unknown): FactSource {
  if (isObj(v) && v['header'] !== undefined)
    return { kind: 'header', header: str(t, `${field}.header`, v['header']) };
  if (isObj(v) && v['extension'] !== undefined)
    return { kind: 'extension', extension: str(t, `${field}.extension`, v['extension']) };
  if (isObj(v) && v['agentAor'] === true) return { kind: 'agentAor' };
  return bad(t, field, 'one of {header}, {extension}, {agentAor: true}');
}

function noticeSource(t: string, field: string, v: unknown): NoticeSource {
  if (isObj(v) && v['header'] !== undefined)
    return { kind: 'header', header: str(t, `${field}.header`, v['header']) };
  if (isObj(v) && v['extension'] !== undefined)
    return { kind: 'extension', extension: str(t, `${field}.extension`, v['extension']) };
  const a = isObj(v) ? v['attestation'] : undefined;
  if (isObj(a)) {
    const version = a['version'];
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
      return bad(t, `${field}.attestation.version`, 'a positive integer');
    return {
      kind: 'attestation',
      version,
      attestedBy: str(t, `${field}.attestation.attestedBy`, a['attestedBy']),
      attestedAt: str(t, `${field}.attestation.attestedAt`, a['attestedAt']),
      text: str(t, `${field}.attestation.text`, a['text']),
    };
  }
  return bad(
    t,
    field,
    'one of {header}, {extension}, {attestation: {version, attestedBy, attestedAt, text}}',
  );
}

function trunkOf(v: unknown, index: number): TrunkConfig {
  if (!isObj(v)) return bad(`#${index}`, '', 'a mapping');
  const id = str(`#${index}`, 'id', v['id']);
  const match = isObj(v['match']) ? v['match'] : {};
  const sources = list(id, 'match.sources', match['sources']).map((s, i) =>
    str(id, `match.sources[${i}]`, s),
  );
  const mh = match['header'];
  const headerMatch = isObj(mh)
    ? { name: str(id, 'match.header.name', mh['name']), value: str(id, 'match.header.value', mh['value']) }
    : undefined;
  if (sources.length === 0 && !headerMatch) bad(id, 'match', 'at least one source address or a header');
  const dir = isObj(v['direction']) ? v['direction'] : {};
  const def = dir['default'] ?? 'inbound';
  if (!(DIRECTIONS as readonly unknown[]).includes(def)) bad(id, 'direction.default', 'inbound or outbound');
  return {
    id,
    match: headerMatch ? { sources, header: headerMatch } : { sources },
    agentAor: list(id, 'agentAor', v['agentAor']).map((p, i) => aorPattern(id, i, p)),
    agentId: list(id, 'agentId', v['agentId'] ?? [{ agentAor: true }]).map((s, i) =>
      factSource(id, `agentId[${i}]`, s),
    ),
    queue: list(id, 'queue', v['queue']).map((s, i) => factSource(id, `queue[${i}]`, s)),
    direction: {
      sources: list(id, 'direction.sources', dir['sources']).map((s, i) =>
        factSource(id, `direction.sources[${i}]`, s),
      ),
      default: def as Direction,
    },
    notice: list(id, 'notice', v['notice']).map((s, i) => noticeSource(id, `notice[${i}]`, s)),
    vendorHints: v['vendorHints'] !== false,
  };
}

/** Validates a parsed `{ trunks: [...] }` document. */
export function parseTrunks(doc: unknown): TrunkConfig[] {
  const trunks = isObj(doc) ? doc['trunks'] : undefined;
  if (!Array.isArray(trunks)) return bad('(file)', 'trunks', 'a list');
  const out = trunks.map((t, i) => trunkOf(t, i));
  const ids = new Set<string>();
  for (const t of out) {
    if (ids.has(t.id)) bad(t.id, 'id', 'unique');
    ids.add(t.id);
  }
  return out;
}

/** Reads and validates a trunks YAML file. */
export function loadTrunksFile(path: string): TrunkConfig[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw fail(SipErrors.TRUNK_CONFIG_INVALID, `cannot read trunks file ${path}`, { path }, e);
  }
  return parseTrunks(doc);
}
