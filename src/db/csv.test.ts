import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isEcouteError } from '../errors.ts';
import { parseCsv } from './csv.ts';
import { AgentsErrors } from './errors.ts';
import { parseAgentsCsv } from './agents.import.ts';

test('RFC 4180: quotes, escaped quotes, commas and line breaks in fields, CRLF, BOM, trailing newline', () => {
  const rows = parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n,,\r\nlast,1,2');
  assert.deepEqual(rows, [
    { line: 1, fields: ['a', 'b', 'c'] },
    { line: 2, fields: ['x, y', 'say "hi"', 'two\r\nlines'] },
    { line: 4, fields: ['', '', ''] },
    { line: 5, fields: ['last', '1', '2'] },
  ]);
  assert.deepEqual(parseCsv('a\n\n'), [{ line: 1, fields: ['a'] }]);
  assert.deepEqual(parseCsv(''), []);
});

test('malformed CSV names the line and column', () => {
  const cases: [string, RegExp][] = [
    ['a,b\nx,"open', /line 2: a quoted field is not closed/],
    ['a,b\nx,y"z', /line 2, column 2: stray quote/],
    ['a,b\n"x"y,z', /line 2, column 1: text after a closing quote/],
  ];
  for (const [text, re] of cases) {
    const e = catchErr(() => parseCsv(text));
    assert.ok(isEcouteError(e, AgentsErrors.CSV_INVALID), text);
    assert.match(e.message, re);
  }
});

test('round trip: any table written the RFC 4180 way parses back to itself', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r\n', ' ', '1') });
  fc.assert(
    fc.property(
      fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      (table) => {
        const text = table.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\r\n');
        assert.deepEqual(
          parseCsv(text).map((r) => r.fields),
          table,
        );
      },
    ),
    { numRuns: 200 },
  );
});

test('agents CSV: header aliases, AOR vs extension, flags, optional never-record column', () => {
  const agents = parseAgentsCsv(
    'Agent ID,Name,Team,Line,Protected,Never record\nA1,Alice,north,sip:a1@pbx,oui,no\nA2,Bob,,2002,0,yes\n',
  );
  assert.deepEqual(agents, [
    {
      id: 'A1',
      displayName: 'Alice',
      teamId: 'north',
      sipAor: 'sip:a1@pbx',
      extension: undefined,
      protectedLine: true,
      neverRecord: false,
    },
    {
      id: 'A2',
      displayName: 'Bob',
      teamId: undefined,
      sipAor: undefined,
      extension: '2002',
      protectedLine: false,
      neverRecord: true,
    },
  ]);
});

test('agents CSV: every problem is listed with its line and column, nothing is returned', () => {
  const cases: [string, RegExp[]][] = [
    ['', [/line 1: the file is empty/]],
    ['id,name,team,extension\n', [/line 1, column "protectedLine": missing column protectedLine/]],
    ['id,name,team,extension,protected,colour\n', [/line 1, column "colour": unknown column "colour"/]],
    [
      'id,name,team,extension,protected\nA1,Al,n,1001,no\nA1,Al2,n,1002,no\n,X,n,12ab,no\nA4,Y,n\n',
      [
        /line 3, column "id": agent id A1 already appears on line 2/,
        /line 4, column "id": the agent id is empty/,
        /line 4, column "extension": "12ab" is neither a SIP AOR/,
        /line 5, column "\*": expected 5 fields, found 3/,
      ],
    ],
  ];
  for (const [text, res] of cases) {
    const e = catchErr(() => parseAgentsCsv(text));
    assert.ok(isEcouteError(e, AgentsErrors.CSV_INVALID), text);
    for (const re of res) assert.match(e.message, re);
  }
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
