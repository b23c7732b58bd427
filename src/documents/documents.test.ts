import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { isEcouteError } from '../errors.ts';
import { assertValidPolicyFile } from '../policy/validate.ts';
import { qualityPolicy, validFile } from '../policy/testing/fixtures.ts';
import type { Policy, PolicyFile } from '../policy/policy.types.ts';
import { activationBlockers, assertDpia, dpiaCheck, dpiaRequired } from './dpia.ts';
import { DOCUMENTS, renderDocument } from './documents.ts';
import { DocumentsErrors } from './errors.ts';
import { fullNoticeGaps } from './notices.ts';
import type { ComplianceData } from './report.data.ts';
import { complianceHtml } from './report.html.ts';
import { compliancePdf } from './report.pdf.ts';

const GOLDEN = join(import.meta.dirname, '../../test/fixtures/documents');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const OPTS = { accessLogDays: 365 };

function file(): PolicyFile {
  const f = validFile();
  f.policies = [
    qualityPolicy({ dpiaReference: 'AIPD-2026-04' }),
    qualityPolicy({
      id: 'revue',
      reviewWindowDays: 7,
      sampling: { rate: 0.03 },
      samplingJustification: 'Volume élevé.',
    }),
  ];
  return assertValidPolicyFile(f);
}

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  assert.equal(
    actual,
    readFileSync(path, 'utf8'),
    `${name} differs from its golden file (UPDATE_GOLDEN=1 to accept)`,
  );
}

const RULE_OF: Record<string, string> = {
  'employee-notice': 'R-DOC-3 R-EMP-2',
  'caller-scripts': 'R-DOC-3 R-CAL-1',
  'full-notice': 'R-DOC-3 R-CAL-3',
  'record-of-processing': 'R-DOC-1',
  'dpia-precheck': 'R-DOC-2',
  'cse-file': 'R-EMP-1',
};

for (const name of DOCUMENTS)
  for (const lang of ['fr', 'en'] as const)
    test(`${RULE_OF[name]}: ${name} in ${lang} matches its golden file`, () => {
      const doc = renderDocument(name, lang, file(), OPTS);
      golden(`${name}.${lang}.${doc.extension}`, doc.body);
    });

test('R-CAL-3: the full notice states every art. 13 item; a gap blocks activation', () => {
  const f = file();
  const fr = renderDocument('full-notice', 'fr', f, OPTS).body;
  for (const item of [
    'Mutuelle Exemple SA',
    'dpo@mutuelle.example',
    'intérêt légitime',
    'Superviseurs',
    '30 jours',
    '365 jours',
    'opposition',
    'CNIL',
    'Aucun transfert',
    'touche 9',
  ])
    assert.ok(fr.includes(item), `missing ${item}`);
  assert.deepEqual(fullNoticeGaps(f), []);
  const bf = { ...assertValidPolicyFile(validFile()), organisation: { ...f.organisation, recipients: [] } };
  assert.deepEqual(fullNoticeGaps(bf), ['recipients']);
  assert.ok(
    activationBlockers(bf, 'qualite-2026-q4').some((e) =>
      isEcouteError(e, DocumentsErrors.NOTICE_INCOMPLETE),
    ),
  );
});

test('R-DOC-2: the DPIA pre-check requires a DPIA for evaluation of employees and blocks activation without its reference', () => {
  const f = file();
  const q = f.policies[0] as Policy;
  assert.deepEqual(dpiaCheck(q).criteria, ['employees', 'evaluation']);
  assert.equal(dpiaRequired(q), true);
  assert.doesNotThrow(() => assertDpia(q));
  const noRef = { ...q, dpiaReference: undefined };
  assert.throws(
    () => assertDpia(noRef),
    (e) => isEcouteError(e, DocumentsErrors.DPIA_REQUIRED) && e.rule === 'R-DOC-2',
  );
  const training: Policy = { ...q, purposes: ['training'], liveListening: false, dpiaReference: undefined };
  assert.equal(dpiaRequired(training), false, 'training at 5 % without live listening: one criterion only');
  assert.equal(dpiaRequired({ ...training, liveListening: true }), true);
  assert.equal(activationBlockers({ ...f, policies: [noRef] }, q.id).length, 1);
});

const DATA: ComplianceData = {
  organisation: 'Mutuelle Exemple SA',
  from: Date.parse('2026-11-01T00:00:00Z'),
  to: Date.parse('2026-11-08T00:00:00Z'),
  sampleRate: 0.05,
  agents: [
    { agentId: 'agent-01', calls: 200, recorded: 9, rate: 0.045 },
    { agentId: 'agent-02', calls: 150, recorded: 8, rate: 8 / 150 },
    { agentId: 'agent-03', calls: 40, recorded: 5, rate: 0.125 },
  ],
  decisions: [
    { reason: 'not_sampled', count: 368 },
    { reason: 'recorded', count: 22 },
    { reason: 'R-CAL-4', count: 3 },
    { reason: 'R-EMP-2', count: 2 },
  ],
  objections: { duringCall: 4, oppositionList: 17 },
  notices: { employeeVersion: 3, acknowledged: 11, agents: 12, callerVersion: 2 },
  purges: {
    done: [
      { rule: 'R-RET-1', count: 41 },
      { rule: 'R-DSR-4', count: 2 },
    ],
    dueNext30Days: 57,
  },
  holds: [
    {
      id: 'hold-1',
      owner: 'legal@mutuelle.example',
      reviewAt: Date.parse('2026-11-05T00:00:00Z'),
      overdue: true,
    },
  ],
  integrity: { ok: true, count: 1234 },
  requests: [{ id: 'dsr-1', kind: 'access', deadline: Date.parse('2026-12-03T00:00:00Z'), overdue: false }],
  timeline: Array.from({ length: 7 }, (_, i) => ({
    day: `2026-11-0${i + 1}`,
    recorded: [3, 4, 2, 5, 3, 4, 1][i] ?? 0,
    purged: [6, 0, 8, 5, 9, 7, 8][i] ?? 0,
  })),
};

for (const lang of ['fr', 'en'] as const)
  test(`R-DOC-4: the compliance report HTML in ${lang} matches its golden file, with its two charts`, () => {
    const html = complianceHtml(DATA, lang);
    assert.equal((html.match(/<svg /g) ?? []).length, 2);
    assert.equal((html.match(/<rect /g) ?? []).length, 3, 'a bar per agent');
    golden(`compliance-report.${lang}.html`, html);
  });

test('R-DOC-4: the compliance report PDF renders and states the key figures (pdftotext)', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  for (const lang of ['fr', 'en'] as const) {
    const pdf = await compliancePdf(DATA, lang);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const path = join(tmp.path, `r.${lang}.pdf`);
    writeFileSync(path, pdf);
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    for (const s of [
      'agent-03',
      '12.5 %',
      '4.5 %',
      'not_sampled: 368',
      'R-RET-1: 41',
      '11/12',
      '1234',
      'hold-1',
      '2026-12-03',
      '57',
    ])
      assert.ok(text.includes(s), `${lang}: PDF lacks ${s}`);
    assert.ok(text.includes(lang === 'fr' ? 'Rapport de conformité' : 'Compliance report'));
    assert.ok(text.includes(lang === 'fr' ? 'EN RETARD' : 'OVERDUE'));
  }
});
