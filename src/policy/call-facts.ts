/**
 * The neutral facts of one call, as every capture adapter (SIPREC, Twilio, AudioHook, fork, import)
 * hands them to the policy engine at call start (DESIGN.md "The flow of one call", step 1).
 * Owned by the policy engine; adapters fill it. Personal data (the customer number) travels only to
 * the opposition-list lookup and the encrypted store, never to logs.
 */
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface CallFacts {
  /** Ecoute's id for the call (not the protocol's). */
  readonly callId: string;
  /** When the call started, ms since epoch. */
  readonly startedAt: number;
  readonly direction: Direction;
  /** Queue / skill / hunt group as the telephony names it, if known. */
  readonly queue: string | undefined;
  /** Agent id in Ecoute's agent directory, if the adapter could resolve it. */
  readonly agentId: string | undefined;
  /** The agent's team, from the directory. */
  readonly team: string | undefined;
  /** R-CAL-1: the caller notice was played (inbound) or the script read (outbound, agent confirmation). */
  readonly noticePlayed: boolean;
  /** Version of the caller notice that was played. */
  readonly noticeVersion: number | undefined;
  /** When the notice ended, ms since epoch; recording never starts before it (R-CAL-1). */
  readonly noticeEndedAt: number | undefined;
  /** R-CAL-2: the caller already objected (key press during the notice). */
  readonly objectionSignalled: boolean;
  /** R-CAL-4: the customer number matched the opposition list (the caller resolves the keyed hash). */
  readonly onOppositionList: boolean;
  /** R-EMP-4: a personal call (line marked never-record, or the per-call prefix/key). */
  readonly personalCall: boolean;
  /** R-EMP-5: the agent's line is a protected employee's line. */
  readonly protectedLine: boolean;
  /** R-EMP-2: the employee-notice version the agent acknowledged, if any. */
  readonly agentAcknowledgedNoticeVersion: number | undefined;
  /** R-PUR-3: recordings already made today for this agent, per policy id. */
  readonly recordedTodayForAgent: Readonly<Record<string, number>>;
  /** R-PUR-6 / R-PUR-7: a manual trigger pressed for this call, if any. */
  readonly trigger: 'agent_incident_button' | 'contract_conclusion' | undefined;
  /**
   * R-PUR-6 / R-PUR-7: who pulled the trigger. Optional for adapters that cannot tell: an absent source
   * means the agent's own button (the only device R-PUR-6 admits). A supervisor or an automatic detector
   * (keywords, sentiment) never starts an incident recording; only `automatic` (a CRM business event)
   * matches a contract_proof policy with `trigger: business_event`.
   */
  readonly triggerSource?: 'agent' | 'supervisor' | 'automatic' | undefined;
  /** When the trigger was pressed, ms since epoch: a triggered recording starts there (R-PUR-6/7). */
  readonly triggeredAt?: number | undefined;
}
