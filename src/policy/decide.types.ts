/** The inputs and output of `decide()` (issue 2, "The engine"). */
import type { RuleId } from '../errors.ts';
import type { Policy, PolicyFile, Purpose, Trigger } from './policy.types.ts';
import type { Draw } from './rng.ts';

export interface DecisionContext {
  /** The active policies, each with its version (from a validated PolicyFile). */
  readonly policies: readonly Policy[];
  /** R-EMP-1: the staff consultation (or the declaration that there is none) is recorded. */
  readonly staffConsulted: boolean;
  /** R-EMP-2: the current employee-notice version agents must have acknowledged. */
  readonly employeeNoticeVersion: number;
  /** R-CAL-1: the current caller-notice version a call must have heard. */
  readonly callerNoticeVersion: number;
  /** IANA zone in which campaign dates are read. */
  readonly timeZone: string;
}

export function decisionContext(file: PolicyFile): DecisionContext {
  return {
    policies: file.policies,
    staffConsulted: file.organisation.staffConsultation !== undefined,
    employeeNoticeVersion: file.notices.employee.version,
    callerNoticeVersion: file.notices.caller.version,
    timeZone: file.organisation.timeZone,
  };
}

export interface Gate {
  readonly rule: RuleId;
  readonly passed: boolean;
  /** One English sentence for `policy explain` and the audit trail; never personal data. */
  readonly detail: string;
}

/** Stable outcome keys for the anonymous decision counters (R-MIN-4). */
export type DecisionReason =
  | 'recorded'
  | 'not_sampled'
  /** No active policy covers the call's team, queue and direction. */
  | 'out_of_scope'
  /** Only triggered policies (agent_incident, contract_proof) apply, and no trigger was pressed. */
  | 'not_triggered'
  | RuleId;

export interface Decision {
  readonly record: boolean;
  readonly policyId?: string;
  readonly policyVersion?: number;
  /** The chosen policy's purposes only (R-MIN-2 purpose binding); [] when not recorded. */
  readonly purposes: readonly Purpose[];
  /** R-RET-1..3, R-RET-5, from the chosen policy; absent when not recorded. */
  readonly retention?: {
    readonly recordingDays: number;
    readonly analysisDays: number;
    readonly reviewWindowDays?: number;
  };
  /** R-RET-3: a legal_obligation recording is write-once until expiry. */
  readonly writeOnce: boolean;
  /** R-EMP-6: live listening allowed for this call (only if recorded under a policy that allows it). */
  readonly liveListening: boolean;
  /** R-CAL-1 / R-PUR-7: first instant that may be captured, ms (never before the notice ended). */
  readonly startAt: number;
  /** How the recording was started: by the draw, by a trigger, or by a legal duty. */
  readonly selectedBy?: 'draw' | Trigger | 'legal_obligation';
  readonly gates: readonly Gate[];
  /** Rule ids of the gates that said no; [] when recorded. */
  readonly refusedBy: readonly RuleId[];
  readonly reason: DecisionReason;
  /** R-PUR-4: the draw, to store and replay; absent when no draw was needed. */
  readonly draw?: Draw;
  /** The clock's time of the decision, ms: with the seed, all `replayDecision` needs. */
  readonly decidedAt: number;
}
