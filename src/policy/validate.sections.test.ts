import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isEcouteError } from '../errors.ts';
import { PolicyErrors } from './errors.ts';
import { parsePolicyText } from './parse.ts';
import { policySchema } from './policy.schema.ts';
import { assertValidPolicyFile, validate } from './validate.ts';
import { mifidPolicy, qualityPolicy, trainingPolicy, validFile } from './testing/fixtures.ts';
import type { Doc } from './testing/fixtures.ts';

function check(edit: (f: Doc) => void): string[] {
  const f = validFile();
  edit(f);
  return validate(f).violations.map((v) => `${v.rule} ${v.path}`);
}

test('R-SCR-1: screenVideo with purposes [evaluation] is refused', () => {
  const r = check(
    (f) =>
      (f.policies = [
        trainingPolicy({ purposes: ['evaluation'], screenVideo: true, screenVideoApplication: 'CRM' }),
      ]),
  );
  assert.deepEqual(r, ['R-SCR-1 policies[0].screenVideo']);
});

test('R-SCR-1: screen video for training only, limited to a named application window; screenshots never', () => {
  assert.deepEqual(
    check((f) => (f.policies = [trainingPolicy({ screenVideo: true, screenVideoApplication: 'CRM' })])),
    [],
  );
  assert.deepEqual(
    check((f) => (f.policies = [trainingPolicy({ screenVideo: true })])),
    ['R-SCR-1 policies[0].screenVideoApplication'],
  );
  assert.deepEqual(
    check((f) => (f.policies[0].screenshots = true)),
    ['R-SCR-1 policies[0].screenshots'],
  );
});

test('R-SCR-2: camera recording of agents is refused', () => {
  assert.deepEqual(
    check((f) => (f.policies[0].cameraRecording = true)),
    ['R-SCR-2 policies[0].cameraRecording'],
  );
});

test('R-EMP-1: a file without staff consultation is refused', () => {
  assert.deepEqual(
    check((f) => delete f.organisation.staffConsultation),
    ['R-EMP-1 organisation.staffConsultation'],
  );
});

test('R-EMP-1: a declaration that there are no staff representatives is accepted; a half-filled one is not', () => {
  assert.deepEqual(
    check((f) => (f.organisation.staffConsultation = { none: true, reason: '8 salariés, pas de CSE' })),
    [],
  );
  assert.deepEqual(
    check((f) => (f.organisation.staffConsultation = { date: '2026-10-02' })),
    ['R-EMP-1 organisation.staffConsultation'],
  );
});

test('R-CAL-1: a caller notice without the objection key is refused', () => {
  assert.deepEqual(
    check((f) => delete f.notices.caller.objectionKey),
    ['R-CAL-1 notices.caller.objectionKey'],
  );
});

test('R-CAL-1: the first-level message must say which key objects, in both languages', () => {
  assert.deepEqual(
    check((f) => (f.notices.caller.objectionKey = '#')),
    ['R-CAL-1 notices.caller.firstLevelText.fr', 'R-CAL-1 notices.caller.firstLevelText.en'],
  );
});

test('R-CAL-1 (profile BE): the first-level message must also announce the retention', () => {
  assert.deepEqual(
    check((f) => {
      f.jurisdiction = 'BE';
      f.notices.caller.firstLevelItems = ['recording', 'purposes', 'controller', 'objection'];
    }),
    ['R-CAL-1 notices.caller.firstLevelItems'],
  );
});

test('R-CAL-3: a caller notice without the full notice URL is refused', () => {
  assert.deepEqual(
    check((f) => delete f.notices.caller.fullNoticeUrl),
    ['R-CAL-3 notices.caller.fullNoticeUrl'],
  );
});

test('R-CAL-3: the full notice needs recipients, transfers and the legitimate interest', () => {
  const r = check((f) => {
    delete f.organisation.recipients;
    delete f.organisation.transfers;
    delete f.policies[0].legitimateInterest;
  });
  assert.deepEqual(r, [
    'R-CAL-3 organisation.recipients',
    'R-CAL-3 organisation.transfers',
    'R-CAL-3 policies[0].legitimateInterest',
  ]);
  assert.deepEqual(
    check((f) => delete f.organisation.dpo.contact),
    ['R-CAL-3 organisation.dpo.contact'],
  );
});

test('R-RET-1: recordingDays 200 for training is refused', () => {
  assert.deepEqual(
    check((f) => (f.policies = [trainingPolicy({ retention: { recordingDays: 200, analysisDays: 365 } })])),
    ['R-RET-1 policies[0].retention.recordingDays'],
  );
  assert.deepEqual(
    check((f) => (f.policies = [trainingPolicy({ retention: { recordingDays: 183, analysisDays: 365 } })])),
    [],
  );
});

test('R-RET-2: analysisDays above 365 is refused', () => {
  assert.deepEqual(
    check((f) => (f.policies[0].retention.analysisDays = 366)),
    ['R-RET-2 policies[0].retention.analysisDays'],
  );
});

test('R-RET-3: a MiFID recording kept 1 year is refused; 5 years is right; insurance canvassing is 2 years', () => {
  assert.deepEqual(
    check((f) => (f.policies = [mifidPolicy({ retention: { recordingDays: 365, analysisDays: 365 } })])),
    ['R-RET-3 policies[0].retention.recordingDays'],
  );
  assert.deepEqual(
    check(
      (f) =>
        (f.policies = [
          mifidPolicy({
            legalReference: 'CODE_ASSURANCES_L112_2_2',
            retention: { recordingDays: 730, analysisDays: 365 },
          }),
        ]),
    ),
    [],
  );
  assert.deepEqual(
    check((f) => (f.policies = [mifidPolicy({ reviewWindowDays: 30 })])),
    ['R-RET-3 policies[0].reviewWindowDays'],
  );
});

test('R-RET-5: a review window longer than the recording’s retention is refused', () => {
  assert.deepEqual(
    check((f) => (f.policies[0].reviewWindowDays = 31)),
    ['R-RET-5 policies[0].reviewWindowDays'],
  );
});

test('R-SEC-5: downloads only to known roles (off by default)', () => {
  assert.deepEqual(
    check((f) => (f.policies[0].downloadRoles = ['everyone'])),
    ['R-SEC-5 policies[0].downloadRoles[0]'],
  );
});

test('R-DOC-1: unknown fields and duplicate policy ids are refused with their path', () => {
  assert.deepEqual(
    check((f) => (f.policies[0].sampling.rat = 0.05)),
    ['R-PUR-3 policies[0].sampling.rat'],
  );
  assert.deepEqual(
    check((f) => void f.policies.push(qualityPolicy())),
    ['R-DOC-1 policies[1].id'],
  );
});

test('every refusal of a file is reported at once, bilingual, each with its rule id', () => {
  const r = validate(
    parsePolicyText(
      readFileSync(new URL('../../examples/policies/invalid-notice.json', import.meta.url), 'utf8'),
      'json',
    ),
  );
  assert.deepEqual(
    r.violations.map((v) => v.rule),
    ['R-CAL-1', 'R-CAL-3', 'R-PUR-5', 'R-RET-1', 'R-RET-2'],
  );
  for (const v of r.violations) assert.ok(v.message.fr && v.message.en && v.message.fr !== v.message.en);
});

test('R-PUR-3: assertValidPolicyFile throws ECOUTE_POLICY_SYSTEMATIC for a systematic policy', () => {
  const f = validFile();
  f.policies[0].sampling.rate = 1;
  f.policies[0].samplingJustification = 'x';
  assert.throws(
    () => assertValidPolicyFile(f),
    (e) => isEcouteError(e, PolicyErrors.SYSTEMATIC) && e.rule === 'R-PUR-3',
  );
  assert.equal(assertValidPolicyFile(validFile()).policies.length, 1);
});

test('the published schema/policy.schema.json is the engine’s schema (regenerate: ecoute policy schema)', () => {
  const published = JSON.parse(
    readFileSync(new URL('../../schema/policy.schema.json', import.meta.url), 'utf8'),
  );
  assert.deepEqual(published, JSON.parse(JSON.stringify(policySchema)));
});

test('parsePolicyText reads YAML (dates stay strings) and JSON, and refuses garbage with ECOUTE_POLICY_UNREADABLE', () => {
  const y = parsePolicyText('campaign: { startsAt: 2026-11-01 }', 'yaml') as {
    campaign: { startsAt: unknown };
  };
  assert.equal(y.campaign.startsAt, '2026-11-01');
  assert.deepEqual(parsePolicyText('{"a":1}', 'json'), { a: 1 });
  assert.throws(
    () => parsePolicyText('a: [1', 'yaml'),
    (e) => isEcouteError(e, PolicyErrors.UNREADABLE),
  );
  assert.throws(
    () => parsePolicyText('a: 1\na: 2', 'yaml'),
    (e) => isEcouteError(e, PolicyErrors.UNREADABLE),
  );
});

test('the example policy files: valid ones pass, invalid ones are refused', () => {
  for (const name of [
    'qualite-fr.yaml',
    'formation-fr.yaml',
    'mifid-fr.yaml',
    'invalid-systematic.yaml',
    'invalid-incivilites.yaml',
    'invalid-no-consultation.yaml',
  ]) {
    const text = readFileSync(new URL(`../../examples/policies/${name}`, import.meta.url), 'utf8');
    assert.equal(validate(parsePolicyText(text, 'yaml')).ok, !name.startsWith('invalid'), name);
  }
});

test('R-CAL-5: a MiFID policy needs a first-level message announcing the recording and its retention', () => {
  const withoutRetention = check((f) => {
    f.policies = [mifidPolicy()];
    f.notices.caller.firstLevelItems = ['recording', 'purposes', 'controller', 'objection'];
  });
  assert.deepEqual(withoutRetention, ['R-CAL-5 notices.caller.firstLevelItems']);
  const announced = check((f) => {
    f.policies = [mifidPolicy()];
    f.notices.caller.firstLevelItems = ['recording', 'purposes', 'controller', 'objection', 'retention'];
  });
  assert.deepEqual(announced, []);
  // A quality policy alone needs no sector notice.
  assert.deepEqual(
    check((f) => (f.notices.caller.firstLevelItems = ['recording', 'purposes', 'controller', 'objection'])),
    [],
  );
});
