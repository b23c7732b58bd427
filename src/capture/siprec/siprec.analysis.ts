/**
 * One call to go from a parsed SIPREC INVITE to what the recorder service needs for the policy decision
 * (DESIGN.md "The flow of one call", step 1): the trunk, who is on which stream, and the protocol facts.
 * Pure.
 */
import type { SiprecInvite } from './siprec.handler.ts';
import { assignRoles, type WhoIsWho } from './participants.ts';
import { matchTrunk, siprecFacts, type SiprecFacts, type TrunkConfig } from './trunk.ts';
import type { RsMetadata } from './metadata.parser.ts';

export interface SiprecAnalysis {
  readonly trunk: TrunkConfig;
  readonly roles: WhoIsWho;
  readonly facts: SiprecFacts;
}

/**
 * Reads trunk, roles and facts. `metadata` overrides the INVITE's (pass the merged snapshot after a
 * partial update, so a transfer re-runs the decision with the new agent).
 */
export function analyseInvite(
  inv: Pick<SiprecInvite, 'request' | 'sdp' | 'metadata' | 'remote'>,
  trunks: readonly TrunkConfig[],
  nowMs: number,
  metadata: RsMetadata | undefined = inv.metadata,
): SiprecAnalysis {
  const trunk = matchTrunk(trunks, inv.remote.address, inv.request);
  const rules = { agentAor: trunk.agentAor, vendorHints: trunk.vendorHints };
  // Direction does not depend on roles; read it first, then assign roles with it.
  const empty: WhoIsWho = {
    streams: [],
    agentAor: undefined,
    customerAor: undefined,
    mixed: false,
    basis: 'stream-order',
  };
  const direction = siprecFacts(trunk, inv.request, metadata, empty, nowMs).direction;
  const roles = assignRoles(inv.sdp, metadata, rules, direction);
  return { trunk, roles, facts: siprecFacts(trunk, inv.request, metadata, roles, nowMs) };
}
