/**
 * mapping.yaml for `ecoute import`: which file holds the call facts (CSV or JSON array), which of its
 * columns means what (the fact vocabulary of docs/ingest.md, plus `file` and `startedAt`), constants for
 * every row, and how WAV channels map to agent and customer. Pure: text in, a Mapping or a typed error.
 */
import { parse as parseYaml } from 'yaml';
import { fail } from '../../errors.ts';
import { FACT_PARAMETERS } from '../ws/facts.params.ts';
import { ImportErrors } from './errors.ts';

export const MAPPED_FIELDS = ['file', 'startedAt', ...FACT_PARAMETERS] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

export interface Mapping {
  /** The CSV or JSON file of call facts, relative to the mapping file. */
  readonly facts: string;
  /** Fact → column name in that file. `file` and `startedAt` are required. */
  readonly columns: Readonly<Partial<Record<MappedField, string>>>;
  /** Fact → constant applied to every row (a column, when mapped, wins). */
  readonly values: Readonly<Partial<Record<MappedField, string>>>;
  /** Stereo files: the WAV channel (0 = left) that holds the agent. Default 0. */
  readonly agentChannel: 0 | 1;
  /** Mono files: `mixed` (both parties, kept on both channels), `agent` or `customer`. Default mixed. */
  readonly mono: 'mixed' | 'agent' | 'customer';
  /** Offset of dates written without a zone (Asterisk's calldate is local time), e.g. "+01:00". Default Z. */
  readonly utcOffset: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseMapping(text: string, name = 'mapping.yaml'): Mapping {
  const bad = (what: string) => fail(ImportErrors.MAPPING_INVALID, `${name}: ${what}`, { file: name });
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw fail(
      ImportErrors.MAPPING_INVALID,
      `${name}: not YAML (${(e as Error).message})`,
      { file: name },
      e,
    );
  }
  if (!isObj(doc)) throw bad('top level is not a mapping');
  if (typeof doc.facts !== 'string' || !/\.(csv|json)$/i.test(doc.facts))
    throw bad('facts must name a .csv or .json file');
  const section = (key: string): Record<string, string> => {
    const v = doc[key] ?? {};
    if (!isObj(v)) throw bad(`${key} is not a mapping`);
    for (const [k, val] of Object.entries(v)) {
      if (!(MAPPED_FIELDS as readonly string[]).includes(k))
        throw bad(`${key}.${k} is not one of ${MAPPED_FIELDS.join(', ')}`);
      if (typeof val !== 'string' && typeof val !== 'number' && typeof val !== 'boolean')
        throw bad(`${key}.${k} is not a scalar`);
    }
    return Object.fromEntries(Object.entries(v).map(([k, val]) => [k, String(val)]));
  };
  const columns = section('columns');
  const values = section('values');
  if (!columns.file) throw bad('columns.file (the column holding the WAV file name) is required');
  if (!columns.startedAt && !values.startedAt) throw bad('columns.startedAt (the call date) is required');
  const channels = isObj(doc.channels) ? doc.channels : {};
  const agentChannel = channels.agent ?? 0;
  if (agentChannel !== 0 && agentChannel !== 1) throw bad('channels.agent must be 0 or 1');
  const mono = channels.mono ?? 'mixed';
  if (mono !== 'mixed' && mono !== 'agent' && mono !== 'customer')
    throw bad('channels.mono must be mixed, agent or customer');
  const utcOffset = typeof doc.utcOffset === 'string' ? doc.utcOffset : 'Z';
  if (!/^(Z|[+-]\d{2}:\d{2})$/.test(utcOffset)) throw bad('utcOffset must be Z or like +01:00');
  return { facts: doc.facts, columns, values, agentChannel, mono, utcOffset };
}
