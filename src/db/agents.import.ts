/**
 * `ecoute agents import`: the agents CSV (header row; columns id, display name, team, SIP AOR or
 * extension, protected-line flag; optional never-record flag) into typed agent inputs. Pure: every
 * problem is reported with its line and column, all at once, and nothing is imported if any is found.
 */
import { fail } from '../errors.ts';
import type { AgentInput } from './agents.repo.ts';
import { parseCsv } from './csv.ts';
import { AgentsErrors } from './errors.ts';

type Column = 'id' | 'displayName' | 'team' | 'line' | 'protectedLine' | 'neverRecord';

const HEADER_NAMES: Readonly<Record<string, Column>> = {
  id: 'id',
  agentid: 'id',
  agent: 'id',
  displayname: 'displayName',
  name: 'displayName',
  team: 'team',
  sipaororextension: 'line',
  sipaor: 'line',
  aor: 'line',
  extension: 'line',
  line: 'line',
  protected: 'protectedLine',
  protectedline: 'protectedLine',
  protectedlineflag: 'protectedLine',
  neverrecord: 'neverRecord',
  personal: 'neverRecord',
};

const REQUIRED: readonly Column[] = ['id', 'displayName', 'team', 'line', 'protectedLine'];
const TRUE = new Set(['1', 'true', 'yes', 'y', 'oui', 'x']);
const FALSE = new Set(['', '0', 'false', 'no', 'n', 'non']);
const MAX_LISTED = 20;

const key = (h: string): string => h.toLowerCase().replace(/[\s_\-/]/g, '');

/** Problems found, each naming its line and column, e.g. `line 4, column "team": …`. */
export interface CsvProblem {
  readonly line: number;
  readonly column: string | undefined;
  readonly message: string;
}

export function parseAgentsCsv(text: string): AgentInput[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header)
    throw fail(AgentsErrors.CSV_INVALID, 'line 1: the file is empty; expected a header row', { line: 1 });
  const index = new Map<Column, number>();
  const headerProblems: CsvProblem[] = [];
  header.fields.forEach((h, i) => {
    const col = HEADER_NAMES[key(h)];
    if (!col) headerProblems.push({ line: 1, column: h, message: `unknown column "${h}"` });
    else if (index.has(col))
      headerProblems.push({ line: 1, column: h, message: `column "${h}" appears twice` });
    else index.set(col, i);
  });
  for (const c of REQUIRED)
    if (!index.has(c)) headerProblems.push({ line: 1, column: c, message: `missing column ${c}` });
  if (headerProblems.length > 0) throw report(headerProblems);

  const problems: CsvProblem[] = [];
  const seen = new Map<string, number>();
  const out: AgentInput[] = [];
  for (const row of rows.slice(1)) {
    const p = (column: string, message: string) => problems.push({ line: row.line, column, message });
    if (row.fields.length !== header.fields.length) {
      p('*', `expected ${header.fields.length} fields, found ${row.fields.length}`);
      continue;
    }
    const get = (c: Column): string => {
      const i = index.get(c);
      return i === undefined ? '' : (row.fields[i] ?? '').trim();
    };
    const name = (c: Column): string => header.fields[index.get(c) ?? 0] ?? c;
    const flag = (c: Column): boolean => {
      const v = get(c).toLowerCase();
      if (TRUE.has(v)) return true;
      if (!FALSE.has(v)) p(name(c), `"${get(c)}" is not a yes/no flag (use true/false, yes/no, 1/0)`);
      return false;
    };
    const id = get('id');
    if (!id) p(name('id'), 'the agent id is empty');
    else if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(id))
      p(name('id'), 'the agent id may hold letters, digits and . _ : @ - only');
    else if (seen.has(id)) p(name('id'), `agent id ${id} already appears on line ${seen.get(id)}`);
    else seen.set(id, row.line);
    const displayName = get('displayName');
    if (!displayName) p(name('displayName'), 'the display name is empty');
    const line = get('line');
    const protectedLine = flag('protectedLine');
    const neverRecord = index.has('neverRecord') ? flag('neverRecord') : false;
    const isAor = /^sips?:/i.test(line) || line.includes('@');
    if (line && !isAor && !/^[0-9*#+]{1,32}$/.test(line))
      p(name('line'), `"${line}" is neither a SIP AOR (sip:user@host) nor an extension (digits)`);
    out.push({
      id,
      displayName,
      teamId: get('team') || undefined,
      sipAor: isAor ? line : undefined,
      extension: line && !isAor ? line : undefined,
      protectedLine,
      neverRecord,
    });
  }
  if (problems.length > 0) throw report(problems);
  return out;
}

function report(problems: readonly CsvProblem[]): Error {
  const lines = problems
    .slice(0, MAX_LISTED)
    .map((p) => `line ${p.line}${p.column ? `, column "${p.column}"` : ''}: ${p.message}`);
  if (problems.length > MAX_LISTED) lines.push(`… and ${problems.length - MAX_LISTED} more`);
  return fail(AgentsErrors.CSV_INVALID, `agents CSV rejected, nothing imported:\n  ${lines.join('\n  ')}`, {
    problems,
  });
}
