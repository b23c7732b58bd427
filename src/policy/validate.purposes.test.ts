import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from './validate.ts';
import { mifidPolicy, qualityPolicy, trainingPolicy, validFile } from './testing/fixtures.ts';
import type { Doc } from './testing/fixtures.ts';

/** Validates a file whose only policy is `policy`; returns the violations as `RULE path` strings. */
function check(policy: Record<string, unknown>, edit?: (f: Doc) => void): string[] {
  const f = validFile();
  f.policies = [policy];
  edit?.(f);
  return validate(f).violations.map((v) => `${v.rule} ${v.path}`);
}

test('the issue’s example quality policy is accepted and defaults are filled', () => {
  const r = validate(validFile());
  assert.deepEqual(r.violations, []);
  assert.equal(r.ok, true);
  const p = r.policyFile!.policies[0]!;
  assert.equal(p.version, 1);
  assert.deepEqual(p.downloadRoles, []);
  assert.equal(r.policyFile!.organisation.maxCampaignDays, 31);
  assert.ok(Object.isFrozen(p.scope), 'the validated file is frozen');
});

test('R-PUR-1: purpose "incivilites" is refused, naming why', () => {
  const r = validate({ ...validFile(), policies: [qualityPolicy({ purposes: ['incivilites'] })] });
  const v = r.violations.find((x) => x.rule === 'R-PUR-1');
  assert.equal(v?.path, 'policies[0].purposes[0]');
  assert.match(v.message.fr, /incivilités/);
  assert.match(v.message.en, /agent_incident/);
  assert.equal(r.ok, false);
});

test('R-PUR-1: purpose "discipline" is refused', () => {
  assert.ok(
    check(qualityPolicy({ purposes: ['quality', 'discipline'] })).includes('R-PUR-1 policies[0].purposes[1]'),
  );
});

test('R-PUR-1: quality on the consent basis is refused (employees’ consent is not free)', () => {
  assert.deepEqual(check(qualityPolicy({ legalBasis: 'consent' })), ['R-PUR-1 policies[0].legalBasis']);
});

test('R-PUR-2: legal_obligation without a legal reference is refused', () => {
  assert.deepEqual(check(mifidPolicy({ legalReference: undefined })), ['R-PUR-2 policies[0].legalReference']);
});

test('R-PUR-2: legal_obligation without an attestation, or with a reference outside the catalogue, is refused', () => {
  assert.deepEqual(check(mifidPolicy({ attestation: undefined })), ['R-PUR-2 policies[0].attestation']);
  assert.deepEqual(check(mifidPolicy({ legalReference: 'CODE_DU_TRAVAIL' })), [
    'R-PUR-2 policies[0].legalReference',
  ]);
});

test('R-PUR-2: a MiFID policy may record every call of its scope', () => {
  assert.deepEqual(check(mifidPolicy()), []);
});

test('R-PUR-3: sampling.rate 1 for quality is refused', () => {
  assert.ok(
    check(qualityPolicy({ sampling: { rate: 1 }, samplingJustification: 'tout' })).includes(
      'R-PUR-3 policies[0].sampling.rate',
    ),
  );
});

test('R-PUR-3: a live-listening policy of 100 % is refused too', () => {
  const r = validate({
    ...validFile(),
    policies: [qualityPolicy({ liveListening: true, sampling: { rate: 1 }, samplingJustification: 'x' })],
  });
  const v = r.violations.find((x) => x.path === 'policies[0].sampling.rate');
  assert.equal(v?.rule, 'R-PUR-3');
  assert.match(v.message.fr, /écouter en direct/);
});

test('R-PUR-3: a legal_obligation mixed with quality may not record every call', () => {
  const p = mifidPolicy({ purposes: ['legal_obligation', 'quality'], samplingJustification: 'x' });
  assert.ok(check(p).includes('R-PUR-3 policies[0].sampling.rate'));
});

test('R-PUR-3: a rate other than 5 % needs a written justification', () => {
  assert.deepEqual(check(qualityPolicy({ sampling: { rate: 0.1 } })), [
    'R-PUR-3 policies[0].samplingJustification',
  ]);
  assert.deepEqual(
    check(qualityPolicy({ sampling: { rate: 0.1 }, samplingJustification: 'Petite équipe.' })),
    [],
  );
});

test('R-PUR-3: above the French ceiling (50 %) even a justified rate is refused', () => {
  assert.deepEqual(check(qualityPolicy({ sampling: { rate: 0.6 }, samplingJustification: 'x' })), [
    'R-PUR-3 policies[0].sampling.rate',
  ]);
});

test('R-PUR-3 (profile UK): recording every call is not proportionate', () => {
  const r = check(
    qualityPolicy({ sampling: { rate: 1 }, samplingJustification: 'x' }),
    (f) => (f.jurisdiction = 'UK'),
  );
  assert.ok(r.includes('R-PUR-3 policies[0].sampling.rate'));
});

test('R-PUR-3 (profile BE): systematic quality recording of call-centre agents is allowed with a justification only', () => {
  const be = (f: Doc): void => {
    f.jurisdiction = 'BE';
    f.notices.caller.firstLevelItems = ['recording', 'purposes', 'controller', 'objection', 'retention'];
  };
  assert.deepEqual(
    check(qualityPolicy({ sampling: { rate: 1 }, samplingJustification: 'Centre d’appels, APD.' }), be),
    [],
  );
  assert.ok(
    check(qualityPolicy({ sampling: { rate: 1 } }), be).includes('R-PUR-3 policies[0].samplingJustification'),
  );
  assert.ok(
    check(trainingPolicy({ sampling: { rate: 1 }, samplingJustification: 'x' }), be).includes(
      'R-PUR-3 policies[0].sampling.rate',
    ),
  );
});

test('R-PUR-5: a training policy without campaign dates is refused', () => {
  assert.deepEqual(check(trainingPolicy({ campaign: undefined })), ['R-PUR-5 policies[0].campaign']);
});

test('R-PUR-5: a campaign longer than the DPO’s maximum, or ending before it starts, is refused', () => {
  assert.deepEqual(check(trainingPolicy({ campaign: { startsAt: '2026-11-01', endsAt: '2026-12-15' } })), [
    'R-PUR-5 policies[0].campaign.endsAt',
  ]);
  assert.deepEqual(check(trainingPolicy({ campaign: { startsAt: '2026-11-10', endsAt: '2026-11-01' } })), [
    'R-PUR-5 policies[0].campaign.endsAt',
  ]);
  const longer = (f: Doc): void => void (f.organisation.maxCampaignDays = 60);
  assert.deepEqual(
    check(trainingPolicy({ campaign: { startsAt: '2026-11-01', endsAt: '2026-12-15' } }), longer),
    [],
  );
});

test('R-PUR-5: campaign dates must be dates', () => {
  assert.deepEqual(check(trainingPolicy({ campaign: { startsAt: 'demain', endsAt: '2026-11-27' } })), [
    'R-PUR-5 policies[0].campaign.startsAt',
  ]);
});

const incident = (over: Record<string, unknown> = {}): Doc =>
  qualityPolicy({
    id: 'incivilites-bouton',
    purposes: ['agent_incident'],
    sampling: { rate: 0 },
    campaign: undefined,
    trigger: 'agent_button',
    ...over,
  });

test('R-PUR-6: agent_incident with the agent button is accepted; a business-event or manual trigger is refused', () => {
  assert.deepEqual(check(incident()), []);
  assert.deepEqual(check(incident({ trigger: 'business_event' })), ['R-PUR-6 policies[0].trigger']);
  assert.deepEqual(check(incident({ trigger: 'manual' })), ['R-PUR-6 policies[0].trigger']);
});

test('R-PUR-6: agent_incident cannot be sampled at 100 % nor combined with another purpose', () => {
  assert.ok(check(incident({ sampling: { rate: 1 } })).includes('R-PUR-3 policies[0].sampling.rate'));
  assert.ok(
    check(incident({ purposes: ['agent_incident', 'quality'] })).includes('R-PUR-6 policies[0].purposes'),
  );
});

const contract = (over: Record<string, unknown> = {}): Doc =>
  qualityPolicy({
    id: 'preuve-contrat',
    purposes: ['contract_proof'],
    sampling: { rate: 0 },
    campaign: undefined,
    trigger: 'manual',
    contractProof: { oralContractAllowed: true, noOtherProof: true, canvassing: false },
    retention: { recordingDays: 1826, analysisDays: 365 },
    ...over,
  });

test('R-PUR-7: contract_proof needs a manual or business-event trigger and the attestations', () => {
  assert.deepEqual(check(contract()), []);
  assert.deepEqual(check(contract({ trigger: undefined })), ['R-PUR-7 policies[0].trigger']);
  assert.deepEqual(
    check(contract({ contractProof: { oralContractAllowed: true, noOtherProof: false, canvassing: false } })),
    ['R-PUR-7 policies[0].contractProof'],
  );
});

test('R-PUR-7: contract_proof is refused for telephone canvassing', () => {
  assert.deepEqual(
    check(contract({ contractProof: { oralContractAllowed: true, noOtherProof: true, canvassing: true } })),
    ['R-PUR-7 policies[0].contractProof.canvassing'],
  );
});

test('R-PUR-8: a policy without necessity or alternatives considered is refused', () => {
  assert.deepEqual(check(qualityPolicy({ necessity: 'qualité', alternativesConsidered: [] })), [
    'R-PUR-8 policies[0].necessity',
    'R-PUR-8 policies[0].alternativesConsidered',
  ]);
});
