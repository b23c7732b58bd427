/**
 * R-EMP-3: the campaigns that apply to an agent, and until when. Derived from the policies in force and
 * the agent's team: a policy applies when its team scope is empty or names the agent's team. Queues and
 * directions narrow it further per call; they are shown so the agent knows which of their calls count.
 * Campaigns already over are left out; upcoming ones are shown (the agent knows in advance).
 */
import { campaignWindow } from '../../policy/campaign.ts';
import type { PolicyFile } from '../../policy/policy.types.ts';

export interface AgentCampaign {
  readonly policyId: string;
  readonly version: number;
  readonly purposes: readonly string[];
  /** First instant of the campaign, ms; null for a policy without campaign dates. */
  readonly from: number | null;
  /** First instant after the campaign, ms ("until when"); null when open-ended (legal_obligation, triggers). */
  readonly until: number | null;
  readonly active: boolean;
  readonly liveListening: boolean;
  /** Share of calls drawn (R-PUR-3/4) and the daily cap per agent. */
  readonly samplingRate: number;
  readonly maxPerAgentPerDay: number | null;
  readonly trigger: string | null;
  readonly queues: readonly string[];
  readonly directions: readonly string[];
}

export function campaignsFor(
  file: PolicyFile | undefined,
  teamId: string | undefined,
  now: number,
): AgentCampaign[] {
  if (!file) return [];
  const out: AgentCampaign[] = [];
  for (const p of file.policies) {
    if (p.scope.teams.length > 0 && (!teamId || !p.scope.teams.includes(teamId))) continue;
    const w = p.campaign ? campaignWindow(p.campaign, file.organisation.timeZone) : undefined;
    if (w && w.end <= now) continue;
    out.push({
      policyId: p.id,
      version: p.version,
      purposes: p.purposes,
      from: w?.start ?? null,
      until: w?.end ?? null,
      active: !w || w.start <= now,
      liveListening: p.liveListening,
      samplingRate: p.sampling.rate,
      maxPerAgentPerDay: p.sampling.maxPerAgentPerDay ?? null,
      trigger: p.trigger ?? null,
      queues: p.scope.queues,
      directions: p.scope.directions,
    });
  }
  return out;
}

export const campaignSchema = {
  type: 'object',
  properties: {
    policyId: { type: 'string' },
    version: { type: 'integer' },
    purposes: { type: 'array', items: { type: 'string' } },
    from: { type: ['integer', 'null'] },
    until: { type: ['integer', 'null'] },
    active: { type: 'boolean' },
    liveListening: { type: 'boolean' },
    samplingRate: { type: 'number' },
    maxPerAgentPerDay: { type: ['integer', 'null'] },
    trigger: { type: ['string', 'null'] },
    queues: { type: 'array', items: { type: 'string' } },
    directions: { type: 'array', items: { type: 'string' } },
  },
  required: ['policyId', 'version', 'purposes', 'from', 'until', 'active', 'liveListening'],
} as const;
