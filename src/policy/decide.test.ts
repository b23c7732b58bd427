import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../clock.ts';
import { cryptoRng, replayRng, seededRng } from '../random.ts';
import type { CallFacts } from './call-facts.ts';
import { decide, decisionContext, replayDecision, type DecisionContext } from './decide.ts';
import type { Rng } from './rng.ts';
import { validate } from './validate.ts';
import { T0, call, mifidPolicy, qualityPolicy, trainingPolicy, validFile } from './testing/fixtures.ts';
import type { Doc } from './testing/fixtures.ts';

/** A named fake: an Rng that always returns the given value (to put the draw on either side of a rate). */
const fixedRng = (value: number): Rng => ({ draw: () => ({ value, seed: `fixed-${value}` }) });

function ctxWith(policies: Record<string, unknown>[], edit?: (f: Doc) => void): DecisionContext {
  const f = validFile();
  f.policies = policies;
  edit?.(f);
  const r = validate(f);
  assert.deepEqual(r.violations, []);
  return decisionContext(r.policyFile!);
}

const clock = new FakeClock(T0);
const quality = ctxWith([qualityPolicy()]);
const run = (facts: CallFacts, ctx = quality, rng: Rng = fixedRng(0.01)) => decide(facts, ctx, rng, clock);

test('a sampled call in scope is recorded under its policy, from the end of the notice', () => {
  const d = run(call());
  assert.equal(d.record, true);
  assert.equal(d.reason, 'recorded');
  assert.equal(d.policyId, 'qualite-2026-q4');
  assert.equal(d.policyVersion, 1);
  assert.deepEqual(d.purposes, ['quality']);
  assert.deepEqual(d.retention, { recordingDays: 30, analysisDays: 365 });
  assert.equal(d.startAt, T0 + 12_000);
  assert.deepEqual(d.refusedBy, []);
  assert.deepEqual(d.draw, { value: 0.01, seed: 'fixed-0.01' });
});

test('R-PUR-4: a draw at or above the rate is not recorded, and the draw is kept', () => {
  const d = run(call(), quality, fixedRng(0.05));
  assert.equal(d.record, false);
  assert.equal(d.reason, 'not_sampled');
  assert.deepEqual(d.refusedBy, ['R-PUR-4']);
  assert.equal(d.draw?.value, 0.05);
});

const refusals: [string, Partial<CallFacts>, string][] = [
  ['R-EMP-4', { personalCall: true }, 'a personal call'],
  ['R-EMP-5', { protectedLine: true }, 'a protected employee’s line'],
  ['R-EMP-2', { agentAcknowledgedNoticeVersion: 2 }, 'an agent who acknowledged an older employee notice'],
  ['R-EMP-2', { agentAcknowledgedNoticeVersion: undefined }, 'an agent who acknowledged no notice'],
  ['R-EMP-2', { agentId: undefined }, 'an unknown agent'],
  ['R-CAL-1', { noticePlayed: false }, 'a call whose notice was not played'],
  ['R-CAL-1', { noticeEndedAt: undefined }, 'a call whose notice end is unknown'],
  ['R-CAL-1', { noticeVersion: 1 }, 'a call that heard an older caller notice'],
  [
    'R-CAL-1',
    { direction: 'outbound', noticePlayed: false },
    'an outbound call without the agent’s script confirmation',
  ],
  ['R-CAL-2', { objectionSignalled: true }, 'a caller who objected'],
  ['R-CAL-4', { onOppositionList: true }, 'a number on the opposition list'],
];
for (const [rule, facts, what] of refusals) {
  test(`${rule}: ${what} is never recorded, and no draw is made`, () => {
    const d = run(call(facts), quality, {
      draw: () => assert.fail('no draw may be made for a refused call'),
    });
    assert.equal(d.record, false);
    assert.equal(d.reason, rule);
    assert.deepEqual(d.refusedBy, [rule]);
    assert.equal(d.draw, undefined);
    assert.equal(d.gates.find((g) => g.rule === rule)?.passed, false);
  });
}

test('R-EMP-1: without a recorded staff consultation nothing is recorded', () => {
  const d = run(call(), { ...quality, staffConsulted: false });
  assert.equal(d.reason, 'R-EMP-1');
  assert.equal(d.record, false);
});

test('gates are all evaluated so that explain shows every reason; the reason is the first one', () => {
  const d = run(call({ protectedLine: true, objectionSignalled: true }));
  assert.deepEqual(d.refusedBy, ['R-EMP-5', 'R-CAL-2']);
  assert.equal(d.reason, 'R-EMP-5');
  assert.deepEqual(
    d.gates.map((g) => g.rule),
    ['R-EMP-1', 'R-EMP-4', 'R-EMP-5', 'R-EMP-2', 'R-CAL-1', 'R-CAL-2', 'R-CAL-4'],
  );
});

test('a call outside every policy’s scope (team, queue, direction) is not recorded: out_of_scope', () => {
  assert.equal(run(call({ team: 'ventes' })).reason, 'out_of_scope');
  assert.equal(run(call({ team: undefined })).reason, 'out_of_scope');
  const inboundOnly = ctxWith([
    qualityPolicy({ scope: { teams: [], queues: ['adherents'], directions: ['inbound'] } }),
  ]);
  assert.equal(run(call({ direction: 'outbound' }), inboundOnly).reason, 'out_of_scope');
  assert.equal(run(call({ queue: 'autre' }), inboundOnly).reason, 'out_of_scope');
  assert.equal(run(call(), inboundOnly).record, true);
});

test('R-PUR-5: outside the campaign dates (read in Paris time) nothing is recorded', () => {
  const before = new FakeClock('2026-10-31T22:59:59Z'); // 23:59:59 in Paris on 31 October
  const first = new FakeClock('2026-10-31T23:00:00Z'); // midnight in Paris on 1 November
  const after = new FakeClock('2026-11-30T23:00:00Z'); // midnight in Paris on 1 December
  assert.equal(decide(call(), quality, fixedRng(0.01), before).reason, 'R-PUR-5');
  assert.equal(decide(call(), quality, fixedRng(0.01), first).record, true);
  assert.equal(decide(call(), quality, fixedRng(0.01), after).reason, 'R-PUR-5');
});

test('R-PUR-3: once the per-agent daily cap is reached, the agent’s calls are not recorded', () => {
  assert.equal(run(call({ recordedTodayForAgent: { 'qualite-2026-q4': 2 } })).record, true);
  const d = run(call({ recordedTodayForAgent: { 'qualite-2026-q4': 3 } }));
  assert.equal(d.reason, 'R-PUR-3');
  assert.deepEqual(d.refusedBy, ['R-PUR-3']);
});

test('R-PUR-2: a legal_obligation policy records every call of its scope without a draw, write-once', () => {
  const ctx = ctxWith([mifidPolicy()]);
  const d = run(call({ team: 'trading' }), ctx, {
    draw: () => assert.fail('no draw for a legal obligation'),
  });
  assert.equal(d.record, true);
  assert.equal(d.selectedBy, 'legal_obligation');
  assert.equal(d.writeOnce, true);
  assert.equal(d.retention?.recordingDays, 1826);
});

const incident = qualityPolicy({
  id: 'incident',
  purposes: ['agent_incident'],
  sampling: { rate: 0 },
  campaign: undefined,
  trigger: 'agent_button',
});

test('R-PUR-6: the agent’s incident button records from the moment it is pressed', () => {
  const ctx = ctxWith([incident]);
  const d = run(call({ trigger: 'agent_incident_button', triggeredAt: T0 + 60_000 }), ctx);
  assert.equal(d.record, true);
  assert.equal(d.policyId, 'incident');
  assert.equal(d.selectedBy, 'agent_button');
  assert.equal(d.startAt, T0 + 60_000);
  assert.equal(d.draw, undefined);
  assert.equal(run(call(), ctx).reason, 'not_triggered');
});

test('R-PUR-6: a supervisor or automatic incident trigger is refused', () => {
  const ctx = ctxWith([incident]);
  for (const triggerSource of ['supervisor', 'automatic'] as const) {
    const d = run(call({ trigger: 'agent_incident_button', triggerSource }), ctx);
    assert.equal(d.record, false);
    assert.equal(d.reason, 'R-PUR-6');
  }
});

const contract = (trigger: string) =>
  qualityPolicy({
    id: `contrat-${trigger}`,
    purposes: ['contract_proof'],
    sampling: { rate: 0 },
    campaign: undefined,
    trigger,
    contractProof: { oralContractAllowed: true, noOtherProof: true, canvassing: false },
    retention: { recordingDays: 1826, analysisDays: 365 },
  });

test('R-PUR-7: contract_proof records only on its trigger (manual by a person, business event from the CRM)', () => {
  const manual = ctxWith([contract('manual')]);
  const crm = ctxWith([contract('business_event')]);
  assert.equal(run(call(), manual).reason, 'not_triggered');
  assert.equal(
    run(call({ trigger: 'contract_conclusion', triggerSource: 'agent' }), manual).selectedBy,
    'manual',
  );
  assert.equal(
    run(call({ trigger: 'contract_conclusion', triggerSource: 'automatic' }), manual).reason,
    'R-PUR-7',
  );
  assert.equal(
    run(call({ trigger: 'contract_conclusion', triggerSource: 'automatic' }), crm).selectedBy,
    'business_event',
  );
  // The contract trigger may come before the notice ended: capture still starts after the notice.
  assert.equal(run(call({ trigger: 'contract_conclusion', triggeredAt: T0 }), manual).startAt, T0 + 12_000);
});

test('several sampled policies share one draw in file order; a recorded call carries one policy’s purposes', () => {
  const ctx = ctxWith(
    [qualityPolicy(), trainingPolicy({ sampling: { rate: 0.1 }, samplingJustification: 'petite équipe' })],
    (f) => {
      f.policies[1].campaign = { startsAt: '2026-11-01', endsAt: '2026-11-20' };
    },
  );
  assert.deepEqual(run(call(), ctx, fixedRng(0.04)).purposes, ['quality']);
  assert.deepEqual(run(call(), ctx, fixedRng(0.05)).purposes, ['training']);
  assert.deepEqual(run(call(), ctx, fixedRng(0.1499)).purposes, ['training']);
  assert.equal(run(call(), ctx, fixedRng(0.1501)).reason, 'not_sampled');
  // A capped policy drops out of the draw; the others keep intervals exactly as wide as their rates.
  const capped = call({ recordedTodayForAgent: { 'qualite-2026-q4': 3 } });
  assert.deepEqual(run(capped, ctx, fixedRng(0.04)).purposes, ['training']);
  assert.equal(run(capped, ctx, fixedRng(0.1)).reason, 'not_sampled');
});

test('R-PUR-4: replayDecision with the stored seed and time gives the same decision', () => {
  const rng = seededRng('replay');
  for (let i = 0; i < 200; i++) {
    const d = decide(call({ callId: `c${i}` }), quality, rng, clock);
    const again = replayDecision(call({ callId: `c${i}` }), quality, replayRng(d.draw!.seed), d.decidedAt);
    assert.deepEqual(again, d);
  }
  const live = decide(call(), quality, cryptoRng(), clock);
  assert.deepEqual(replayDecision(call(), quality, replayRng(live.draw!.seed), live.decidedAt), live);
});
