import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeClock } from '../clock.ts';
import { cryptoRng, replayRng, seededRng } from '../random.ts';
import type { CallFacts } from './call-facts.ts';
import { decide, decisionContext, replayDecision, type DecisionContext } from './decide.ts';
import { validate } from './validate.ts';
import { T0, call, mifidPolicy, qualityPolicy, trainingPolicy, validFile } from './testing/fixtures.ts';

const clock = new FakeClock(T0);

function contextOf(policies: Record<string, unknown>[], jurisdiction = 'FR'): DecisionContext | undefined {
  const f = validFile();
  f.jurisdiction = jurisdiction;
  f.policies = policies;
  const r = validate(f);
  return r.ok ? decisionContext(r.policyFile!) : undefined;
}

const nonSystematicPolicy = fc.record({
  purposes: fc.oneof(
    fc.subarray(['training', 'evaluation', 'quality'], { minLength: 1 }),
    fc.constant(['agent_incident']),
  ),
  rate: fc.oneof(fc.constant(0.05), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  justified: fc.boolean(),
  cap: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
  liveListening: fc.boolean(),
  jurisdiction: fc.constantFrom('FR', 'UK'),
});

test('R-PUR-3: no accepted training|evaluation|quality|agent_incident policy records every call of a large random scope', () => {
  let accepted = 0;
  fc.assert(
    fc.property(nonSystematicPolicy, fc.string({ minLength: 1 }), (g, seed) => {
      const ctx = contextOf(
        [
          trainingPolicy({
            id: 'p',
            purposes: g.purposes,
            sampling: g.cap === undefined ? { rate: g.rate } : { rate: g.rate, maxPerAgentPerDay: g.cap },
            samplingJustification: g.justified ? 'Justification écrite du DPO.' : undefined,
            liveListening: g.liveListening,
            trigger: g.purposes.includes('agent_incident') ? 'agent_button' : undefined,
            scope: { teams: [], queues: [], directions: [] },
          }),
        ],
        g.jurisdiction,
      );
      if (!ctx) return;
      accepted++;
      const rng = seededRng(seed);
      let recorded = 0;
      for (let i = 0; i < 300; i++) {
        const facts = call({
          callId: `c${i}`,
          team: `t${i % 7}`,
          queue: `q${i % 5}`,
          direction: i % 2 ? 'inbound' : 'outbound',
        });
        if (decide(facts, ctx, rng, clock).record) recorded++;
      }
      assert.ok(recorded < 300, `policy ${JSON.stringify(g)} recorded all 300 calls`);
    }),
    { numRuns: 150 },
  );
  assert.ok(
    accepted >= 20,
    `only ${accepted} generated policies were accepted: the property tested too little`,
  );
});

test('R-PUR-4: the recorded share converges to the sampling rate (10,000 calls, within 4 sigma)', () => {
  fc.assert(
    fc.property(fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.string(), (rate, seed) => {
      const ctx = contextOf([
        qualityPolicy({
          sampling: { rate },
          samplingJustification: 'x',
          scope: { teams: [], queues: [], directions: [] },
        }),
      ])!;
      const rng = seededRng(seed);
      const n = 10_000;
      let k = 0;
      for (let i = 0; i < n; i++) if (decide(call({ callId: `c${i}` }), ctx, rng, clock).record) k++;
      const sigma = Math.sqrt(n * rate * (1 - rate));
      assert.ok(Math.abs(k - n * rate) <= 4 * sigma, `rate ${rate}: ${k} of ${n} recorded`);
    }),
    { numRuns: 4 },
  );
});

const anyFacts: fc.Arbitrary<CallFacts> = fc.record({
  callId: fc.string(),
  startedAt: fc.integer({ min: T0 - 3_600_000, max: T0 }),
  direction: fc.constantFrom('inbound', 'outbound'),
  queue: fc.option(fc.constantFrom('adherents', 'ordres', 'autre'), { nil: undefined }),
  agentId: fc.option(fc.constant('agent-1'), { nil: undefined }),
  team: fc.option(fc.constantFrom('support', 'trading', 'ventes'), { nil: undefined }),
  noticePlayed: fc.boolean(),
  noticeVersion: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  noticeEndedAt: fc.option(fc.integer({ min: T0 - 3_600_000, max: T0 + 60_000 }), { nil: undefined }),
  objectionSignalled: fc.boolean(),
  onOppositionList: fc.boolean(),
  personalCall: fc.boolean(),
  protectedLine: fc.boolean(),
  agentAcknowledgedNoticeVersion: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  recordedTodayForAgent: fc.dictionary(fc.constantFrom('qualite-2026-q4', 'mifid', 'incident'), fc.nat(5)),
  trigger: fc.option(fc.constantFrom('agent_incident_button' as const, 'contract_conclusion' as const), {
    nil: undefined,
  }),
  triggerSource: fc.option(fc.constantFrom('agent' as const, 'supervisor' as const, 'automatic' as const), {
    nil: undefined,
  }),
  triggeredAt: fc.option(fc.integer({ min: T0, max: T0 + 60_000 }), { nil: undefined }),
});

const incident = qualityPolicy({
  id: 'incident',
  purposes: ['agent_incident'],
  sampling: { rate: 0 },
  campaign: undefined,
  trigger: 'agent_button',
});
const contexts = [
  contextOf([
    qualityPolicy({
      sampling: { rate: 0.5 },
      samplingJustification: 'x',
      scope: { teams: [], queues: [], directions: [] },
    }),
  ])!,
  contextOf([mifidPolicy({ scope: { teams: [], queues: [], directions: [] } })])!,
  contextOf([incident, qualityPolicy()])!,
];

test('R-PUR-4: a replayed draw gives the same decision, for any call and policy set', () => {
  fc.assert(
    fc.property(anyFacts, fc.constantFrom(...contexts), (facts, ctx) => {
      const d = decide(facts, ctx, cryptoRng(), clock);
      const replayRngOrNone = d.draw
        ? replayRng(d.draw.seed)
        : { draw: () => assert.fail('replay drew where the original did not') };
      assert.deepEqual(replayDecision(facts, ctx, replayRngOrNone, d.decidedAt), d);
    }),
    { numRuns: 500 },
  );
});

test('R-EMP-2, R-EMP-4, R-EMP-5, R-CAL-2, R-CAL-4: no call of an uninformed agent, a personal call, a protected line, an objecting or opposition-listed caller is ever recorded', () => {
  const forbidden = anyFacts.filter(
    (f) =>
      f.agentAcknowledgedNoticeVersion !== 3 ||
      f.agentId === undefined ||
      f.personalCall ||
      f.protectedLine ||
      f.objectionSignalled ||
      f.onOppositionList,
  );
  fc.assert(
    fc.property(forbidden, fc.constantFrom(...contexts), (facts, ctx) => {
      const d = decide(facts, ctx, cryptoRng(), clock);
      assert.equal(d.record, false);
      assert.equal(d.liveListening, false);
      assert.ok(d.refusedBy.length > 0);
    }),
    { numRuns: 1000 },
  );
});

test('R-CAL-1: a recording never starts before the caller notice ended', () => {
  fc.assert(
    fc.property(anyFacts, fc.constantFrom(...contexts), (facts, ctx) => {
      const d = decide(facts, ctx, cryptoRng(), clock);
      if (d.record)
        assert.ok(
          facts.noticeEndedAt !== undefined &&
            d.startAt >= facts.noticeEndedAt &&
            d.startAt >= facts.startedAt,
        );
    }),
    { numRuns: 500 },
  );
});
