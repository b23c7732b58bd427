/**
 * `decide(facts, ctx, rng, clock)`: whether one call is recorded, under which policy, and why. Pure: the
 * clock and the random draw come in as ports, so any decision can be replayed (R-PUR-4).
 *
 * Order: the call-level gates (R-EMP-1, R-EMP-4, R-EMP-5, R-EMP-2, R-CAL-1, R-CAL-2, R-CAL-4) must all
 * pass; then the policies in scope and in campaign (R-PUR-5), under their per-agent cap (R-PUR-3); then
 * (1) a legal_obligation policy with rate 1 records without a draw (R-PUR-2); (2) a pressed trigger
 * selects an agent_incident (R-PUR-6) or contract_proof (R-PUR-7) policy; (3) otherwise ONE draw is made
 * (R-PUR-4) and the sampled policies share [0,1) in file order, each getting an interval as wide as its
 * rate: every policy records its own share of calls, and a recorded call carries one policy's purposes.
 */
import type { Clock } from '../clock.ts';
import type { RuleId } from '../errors.ts';
import type { CallFacts } from './call-facts.ts';
import { campaignWindow, type CampaignWindow } from './campaign.ts';
import type { Decision, DecisionContext, Gate } from './decide.types.ts';
import type { Policy } from './policy.types.ts';
import type { Rng } from './rng.ts';

export { decisionContext } from './decide.types.ts';
export type { Decision, DecisionContext, Gate } from './decide.types.ts';

const gate = (rule: RuleId, passed: boolean, detail: string): Gate => ({ rule, passed, detail });

/** The gates that depend on the call alone; all are evaluated so that `explain` shows every reason. */
function callGates(f: CallFacts, ctx: DecisionContext): Gate[] {
  const ack = f.agentAcknowledgedNoticeVersion;
  const noticeOk =
    f.noticePlayed && f.noticeEndedAt !== undefined && f.noticeVersion === ctx.callerNoticeVersion;
  return [
    gate(
      'R-EMP-1',
      ctx.staffConsulted,
      ctx.staffConsulted
        ? 'staff consultation recorded'
        : 'no staff consultation recorded: no policy is active',
    ),
    gate(
      'R-EMP-4',
      !f.personalCall,
      f.personalCall ? 'personal call: never recorded' : 'not a personal call',
    ),
    gate(
      'R-EMP-5',
      !f.protectedLine,
      f.protectedLine ? 'protected employee line: never recorded or listened to' : 'not a protected line',
    ),
    gate(
      'R-EMP-2',
      f.agentId !== undefined && ack === ctx.employeeNoticeVersion,
      f.agentId === undefined
        ? 'agent unknown: cannot have been informed'
        : ack === ctx.employeeNoticeVersion
          ? `agent acknowledged the current employee notice v${ctx.employeeNoticeVersion}`
          : `agent acknowledged ${ack === undefined ? 'no' : `v${ack} of the`} employee notice, current is v${ctx.employeeNoticeVersion}`,
    ),
    gate(
      'R-CAL-1',
      noticeOk,
      !f.noticePlayed
        ? f.direction === 'outbound'
          ? 'agent did not confirm the notice script was read'
          : 'caller notice not played'
        : f.noticeEndedAt === undefined
          ? 'caller notice end time unknown'
          : f.noticeVersion !== ctx.callerNoticeVersion
            ? `caller heard notice v${f.noticeVersion ?? '?'}, current is v${ctx.callerNoticeVersion}`
            : `caller notice v${ctx.callerNoticeVersion} played to its end`,
    ),
    gate('R-CAL-2', !f.objectionSignalled, f.objectionSignalled ? 'caller objected' : 'no objection'),
    gate(
      'R-CAL-4',
      !f.onOppositionList,
      f.onOppositionList ? 'number is on the opposition list' : 'number not on the opposition list',
    ),
  ];
}

const matches = (list: readonly string[], value: string | undefined): boolean =>
  list.length === 0 || (value !== undefined && list.includes(value));

function inScope(p: Policy, f: CallFacts): boolean {
  return (
    matches(p.scope.teams, f.team) &&
    matches(p.scope.queues, f.queue) &&
    matches(p.scope.directions, f.direction)
  );
}

// Policies are frozen once validated, so their campaign window can be computed once (Intl is slow).
const windows = new WeakMap<Policy, { timeZone: string; w: CampaignWindow }>();

function inCampaign(p: Policy, now: number, timeZone: string): boolean {
  if (!p.campaign) return true;
  let cached = windows.get(p);
  if (cached?.timeZone !== timeZone) {
    cached = { timeZone, w: campaignWindow(p.campaign, timeZone) };
    windows.set(p, cached);
  }
  return now >= cached.w.start && now < cached.w.end;
}

const isIncident = (p: Policy): boolean => p.purposes.includes('agent_incident');
const isContract = (p: Policy): boolean => p.purposes.includes('contract_proof');
const isLegal = (p: Policy): boolean => p.purposes.includes('legal_obligation');

function triggerMatches(p: Policy, f: CallFacts): boolean {
  const source = f.triggerSource ?? 'agent';
  if (isIncident(p)) return f.trigger === 'agent_incident_button' && source === 'agent';
  if (isContract(p))
    return (
      f.trigger === 'contract_conclusion' &&
      (p.trigger === 'business_event' ? source === 'automatic' : source !== 'automatic')
    );
  return false;
}

interface Outcome {
  readonly policy?: Policy;
  readonly selectedBy?: Decision['selectedBy'];
  readonly draw?: Decision['draw'];
}

export function decide(facts: CallFacts, ctx: DecisionContext, rng: Rng, clock: Clock): Decision {
  const now = clock.now();
  const gates = callGates(facts, ctx);
  const base = { purposes: [], writeOnce: false, liveListening: false, decidedAt: now };
  const startAt = Math.max(facts.startedAt, facts.noticeEndedAt ?? facts.startedAt);
  const refused = (all: Gate[], reason: Decision['reason']): Decision => ({
    ...base,
    record: false,
    startAt,
    gates: all,
    refusedBy: all.filter((g) => !g.passed).map((g) => g.rule),
    reason,
  });
  const firstFailed = gates.find((g) => !g.passed);
  if (firstFailed) return refused(gates, firstFailed.rule);

  const scoped = ctx.policies.filter((p) => inScope(p, facts));
  if (scoped.length === 0) return { ...refused(gates, 'out_of_scope'), refusedBy: [] };
  const running = scoped.filter((p) => inCampaign(p, now, ctx.timeZone));
  gates.push(
    gate(
      'R-PUR-5',
      running.length > 0,
      `${running.length} of ${scoped.length} policies in scope have an open campaign`,
    ),
  );
  if (running.length === 0) return refused(gates, 'R-PUR-5');

  const capped = running.filter(
    (p) => (facts.recordedTodayForAgent[p.id] ?? 0) >= (p.sampling.maxPerAgentPerDay ?? Infinity),
  );
  const open = running.filter((p) => !capped.includes(p));
  gates.push(
    gate(
      'R-PUR-3',
      open.length > 0,
      capped.length === 0
        ? 'no per-agent daily cap reached'
        : `daily cap reached for ${capped.map((p) => p.id).join(', ')}`,
    ),
  );
  if (open.length === 0) return refused(gates, 'R-PUR-3');

  const outcome = choose(facts, open, gates, rng);
  if (!outcome.policy) {
    const last = gates[gates.length - 1];
    const reason =
      last && !last.passed && last.rule === 'R-PUR-4'
        ? 'not_sampled'
        : (gates.find((g) => !g.passed)?.rule ?? 'not_triggered');
    return { ...refused(gates, reason), ...(outcome.draw ? { draw: outcome.draw } : {}) };
  }
  const p = outcome.policy;
  const triggered =
    outcome.selectedBy === 'agent_button' ||
    outcome.selectedBy === 'manual' ||
    outcome.selectedBy === 'business_event';
  return {
    record: true,
    policyId: p.id,
    policyVersion: p.version,
    purposes: p.purposes,
    retention: {
      recordingDays: p.retention.recordingDays,
      analysisDays: p.retention.analysisDays,
      ...(p.reviewWindowDays !== undefined ? { reviewWindowDays: p.reviewWindowDays } : {}),
    },
    writeOnce: isLegal(p),
    liveListening: p.liveListening,
    // R-PUR-6 / R-PUR-7: a triggered recording starts at the trigger, never before the notice ended.
    startAt: triggered ? Math.max(startAt, facts.triggeredAt ?? now) : startAt,
    ...(outcome.selectedBy ? { selectedBy: outcome.selectedBy } : {}),
    gates,
    refusedBy: [],
    reason: 'recorded',
    ...(outcome.draw ? { draw: outcome.draw } : {}),
    decidedAt: now,
  };
}

/** Legal duty first, then a pressed trigger, then the single draw. Pushes the gates it evaluates. */
function choose(facts: CallFacts, open: readonly Policy[], gates: Gate[], rng: Rng): Outcome {
  const legal = open.find((p) => isLegal(p) && p.sampling.rate >= 1);
  if (legal) {
    gates.push(gate('R-PUR-2', true, `${legal.id}: legal obligation records every call in scope`));
    return { policy: legal, selectedBy: 'legal_obligation' };
  }
  const incidents = open.filter(isIncident);
  if (incidents.length > 0 && facts.trigger === 'agent_incident_button') {
    const hit = incidents.find((p) => triggerMatches(p, facts));
    gates.push(
      gate(
        'R-PUR-6',
        hit !== undefined,
        hit
          ? 'incident button pressed by the agent'
          : `incident trigger from ${facts.triggerSource ?? 'agent'} refused: only the agent's button`,
      ),
    );
    if (hit) return { policy: hit, selectedBy: 'agent_button' };
  }
  const contracts = open.filter(isContract);
  if (contracts.length > 0 && facts.trigger === 'contract_conclusion') {
    const hit = contracts.find((p) => triggerMatches(p, facts));
    gates.push(
      gate(
        'R-PUR-7',
        hit !== undefined,
        hit
          ? `contract conclusion (${hit.trigger ?? 'manual'})`
          : 'contract trigger does not match the policy trigger',
      ),
    );
    if (hit)
      return { policy: hit, selectedBy: hit.trigger === 'business_event' ? 'business_event' : 'manual' };
  }
  // Triggered purposes are never drawn: they record only on their trigger.
  const sampled = open.filter((p) => !isIncident(p) && !isContract(p) && p.sampling.rate > 0);
  if (sampled.length === 0) return {};
  const draw = rng.draw();
  let upper = 0;
  for (const p of sampled) {
    const lower = upper;
    upper = Math.min(1, upper + p.sampling.rate);
    if (draw.value >= lower && draw.value < upper) {
      gates.push(
        gate(
          'R-PUR-4',
          true,
          `draw ${draw.value.toFixed(6)} in [${lower.toFixed(4)}, ${upper.toFixed(4)}) of ${p.id}`,
        ),
      );
      return { policy: p, selectedBy: 'draw', draw };
    }
  }
  gates.push(gate('R-PUR-4', false, `draw ${draw.value.toFixed(6)} >= ${upper.toFixed(4)}: not sampled`));
  return { draw };
}

/** Replays a stored decision: same facts and context, the stored seed's Rng and the stored decision time. */
export function replayDecision(
  facts: CallFacts,
  ctx: DecisionContext,
  rng: Rng,
  decidedAt: number,
): Decision {
  return decide(facts, ctx, rng, { now: () => decidedAt });
}
