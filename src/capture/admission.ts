/**
 * Admission of a call (DESIGN.md "The flow of one call", step 2): completes the adapter's facts from the
 * agent directory and the opposition list, asks the policy engine, holds a per-agent slot when the policy
 * caps recordings (R-PUR-3), and counts the outcome anonymously (R-MIN-4). A call that is not recorded
 * leaves nothing behind but that counter.
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import type { Agent } from '../db/agents.repo.ts';
import { decide, type Decision } from '../policy/decide.ts';
import type { CallFacts } from '../policy/call-facts.ts';
import type { Rng } from '../policy/rng.ts';
import type { CallFactsInput } from './capture.port.ts';
import type { NumberProtection } from './numbers.ts';
import type { PolicySource } from './policy.source.ts';

export interface AdmissionDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly policies: PolicySource;
  readonly numbers: NumberProtection;
}

export interface Admission {
  readonly callId: string;
  readonly facts: CallFacts;
  readonly decision: Decision;
  readonly agent: Agent | undefined;
  /** Keyed hash of the customer number, when there is one. */
  readonly customerHash: string | undefined;
  /** The slot day held for R-PUR-3, to give back if the recording never starts. */
  readonly slotDay: string | undefined;
}

/** 'YYYY-MM-DD' of an instant in a time zone. */
export function dayIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms);
}

export async function findAgent(
  db: Db,
  input: Pick<CallFactsInput, 'agentExternalId' | 'agentExtension'>,
): Promise<Agent | undefined> {
  if (input.agentExternalId) {
    const byId = await db.agents.get(input.agentExternalId);
    if (byId) return byId;
    const byAor = await db.agents.byAor(input.agentExternalId);
    if (byAor) return byAor;
  }
  if (input.agentExtension) return db.agents.byAor(input.agentExtension);
  return undefined;
}

export async function admit(deps: AdmissionDeps, callId: string, input: CallFactsInput): Promise<Admission> {
  const { db, clock } = deps;
  const inForce = deps.policies.current();
  const agent = await findAgent(db, input);
  const customerHash = input.customerNumber ? deps.numbers.hash(input.customerNumber) : undefined;
  const onOppositionList = customerHash ? await db.opposition.has(customerHash) : false;
  const timeZone = inForce?.context.timeZone ?? 'Europe/Paris';
  const day = dayIn(input.startedAt, timeZone);
  const recordedToday = agent ? await db.counters.slotsUsed(agent.id, day) : {};
  const facts: CallFacts = {
    callId,
    startedAt: input.startedAt,
    direction: input.direction,
    queue: input.queue,
    agentId: agent?.id,
    team: agent?.teamId,
    noticePlayed: input.noticePlayed,
    noticeVersion: input.noticeVersion,
    noticeEndedAt: input.noticeEndedAt,
    objectionSignalled: input.objectionSignalled,
    onOppositionList,
    personalCall: input.personalCall || (agent?.neverRecord ?? false),
    protectedLine: input.protectedLine || (agent?.protectedLine ?? false),
    agentAcknowledgedNoticeVersion: agent?.noticeVersion,
    recordedTodayForAgent: recordedToday,
    trigger: input.trigger,
  };

  let decision: Decision;
  if (!inForce) {
    decision = {
      record: false,
      purposes: [],
      writeOnce: false,
      liveListening: false,
      startAt: input.startedAt,
      gates: [],
      refusedBy: [],
      reason: 'out_of_scope',
      decidedAt: clock.now(),
    };
  } else {
    decision = decide(facts, inForce.context, deps.rng, clock);
  }

  let slotDay: string | undefined;
  if (decision.record && agent && inForce) {
    // R-PUR-3: the cap holds under concurrency and across nodes because the slot is taken atomically.
    const policy = inForce.context.policies.find((p) => p.id === decision.policyId);
    const max = policy?.sampling?.maxPerAgentPerDay;
    if (policy && max !== undefined) {
      if (await db.counters.reserveSlot(policy.id, agent.id, day, max)) {
        slotDay = day;
      } else {
        decision = {
          ...decision,
          record: false,
          purposes: [],
          liveListening: false,
          reason: 'R-PUR-3',
          refusedBy: ['R-PUR-3'],
        };
      }
    }
  }

  await db.counters.increment({
    policyId: decision.policyId,
    day,
    outcome: decision.record ? 'recorded' : 'not_recorded',
    reason: decision.reason,
    ruleId: decision.refusedBy[0],
  });
  return { callId, facts, decision, agent, customerHash, slotDay };
}
