import type { ErrorSpec } from '../../errors.ts';
import { AccessErrors } from './errors.ts';
import {
  AUDIO_ACTIONS,
  PURPOSE_ACTIONS,
  ROLE_PURPOSES,
  SCOPE_ACTIONS,
  TEAM_SCOPED,
  roleMayAttempt,
  type Action,
  type Purpose,
  type Role,
  type TokenScope,
} from './roles.ts';

/** Who is asking: a person with roles, or an integration token with scopes. */
export type Principal =
  | {
      readonly kind: 'user';
      readonly id: string;
      readonly login: string;
      readonly roles: readonly Role[];
      /** Team ids a supervisor, evaluator or trainer may see (R-MIN-3). */
      readonly teams: readonly string[];
      /** The agent record of an `agent` user ("agent sees own"). */
      readonly agentId: string | undefined;
      /** The session proved a second factor: Ecoute's TOTP, or MFA asserted by the SSO provider (R-SEC-1). */
      readonly secondFactor: boolean;
    }
  | {
      readonly kind: 'token';
      readonly id: string;
      readonly name: string;
      readonly scopes: readonly TokenScope[];
    };

/** The facts about the object that the decision needs; routes load them before asking. */
export interface AccessObject {
  readonly type: string;
  readonly id?: string;
  /** The recording's or the call's purposes (R-MIN-2). */
  readonly purposes?: readonly Purpose[];
  readonly team?: string | null;
  readonly agentId?: string | null;
  /** The policy's downloadRoles (R-SEC-5); empty = off. */
  readonly downloadRoles?: readonly Role[];
  /** An active policy allows live listening to this call (R-EMP-6). */
  readonly liveListening?: boolean;
}

export interface AccessRequest {
  readonly action: Action;
  readonly object?: AccessObject;
  readonly purpose?: string | undefined;
}

export type Decision =
  | { readonly allowed: true; readonly role: string }
  | { readonly allowed: false; readonly role: string; readonly error: ErrorSpec; readonly reason: string };

type RoleVerdict = { readonly error: ErrorSpec; readonly reason: string } | undefined;

function inScope(
  role: Role,
  p: Extract<Principal, { kind: 'user' }>,
  o: AccessObject | undefined,
): RoleVerdict {
  if (!o || (o.team === undefined && o.agentId === undefined)) return undefined;
  if (TEAM_SCOPED.has(role) && (!o.team || !p.teams.includes(o.team)))
    return { error: AccessErrors.DENIED, reason: 'object outside the role\u2019s teams' };
  if (role === 'agent' && (!o.agentId || o.agentId !== p.agentId))
    return { error: AccessErrors.DENIED, reason: 'an agent sees only their own calls' };
  return undefined;
}

function audioVerdict(role: Role, p: Extract<Principal, { kind: 'user' }>, r: AccessRequest): RoleVerdict {
  if (!p.secondFactor) return { error: AccessErrors.NO_SECOND_FACTOR, reason: 'no second factor' };
  const purpose = r.purpose as Purpose | undefined;
  if (!purpose || !r.object?.purposes?.includes(purpose))
    return { error: AccessErrors.PURPOSE, reason: 'purpose not among the recording\u2019s purposes' };
  if (!ROLE_PURPOSES[role].includes(purpose))
    return { error: AccessErrors.DENIED, reason: 'role not tied to the purpose' };
  if (r.action === 'download' && !r.object.downloadRoles?.includes(role))
    return { error: AccessErrors.DOWNLOAD_DISABLED, reason: 'download not enabled for the role' };
  if (r.action === 'live_listen' && r.object.liveListening !== true)
    return { error: AccessErrors.LIVE_NOT_ALLOWED, reason: 'no active policy allows live listening' };
  return undefined;
}

/**
 * R-MIN-2 / R-MIN-3 for scoring a recording: the declared purpose must be one of the recording's, and
 * an evaluator's role must be tied to it (a trainer calibrates whatever evaluation purpose it holds).
 */
function purposeVerdict(role: Role, r: AccessRequest): RoleVerdict {
  const purposes = r.object?.purposes;
  if (purposes === undefined) return undefined; // not about one recording (a sample draw, a listing)
  const purpose = r.purpose as Purpose | undefined;
  if (!purpose || !purposes.includes(purpose))
    return { error: AccessErrors.PURPOSE, reason: 'purpose not among the recording\u2019s purposes' };
  if (r.action === 'evaluate' && !ROLE_PURPOSES[role].includes(purpose))
    return { error: AccessErrors.DENIED, reason: 'role not tied to the purpose' };
  return undefined;
}

function roleVerdict(role: Role, p: Extract<Principal, { kind: 'user' }>, r: AccessRequest): RoleVerdict {
  if (!roleMayAttempt(role, r.action))
    return { error: AccessErrors.DENIED, reason: 'action not allowed for the role' };
  if (AUDIO_ACTIONS.has(r.action)) {
    const v = audioVerdict(role, p, r);
    if (v) return v;
  }
  if (PURPOSE_ACTIONS.has(r.action)) {
    const v = purposeVerdict(role, r);
    if (v) return v;
  }
  return inScope(role, p, r.object);
}

/** R-PUR-6: the incident button belongs to the agent handling the call, and to nobody else. */
function incidentDecision(p: Principal, o: AccessObject | undefined): Decision {
  const own =
    p.kind === 'user' && p.roles.includes('agent') && !!p.agentId && !!o?.agentId && o.agentId === p.agentId;
  if (own) return { allowed: true, role: 'agent' };
  return {
    allowed: false,
    role: p.kind === 'token' ? 'token' : (p.roles[0] ?? 'none'),
    error: AccessErrors.INCIDENT_AGENT_ONLY,
    reason: 'only the agent handling the call may trigger an incident recording',
  };
}

/**
 * The access matrix as one pure function (R-SEC-1, R-MIN-2, R-MIN-3, R-SEC-5, R-EMP-6). A user with
 * several roles is allowed when one role allows; a refusal reports the most specific reason found
 * (the first role's, when all refuse for the generic reason).
 */
export function decide(p: Principal, r: AccessRequest): Decision {
  if (r.action === 'incident') return incidentDecision(p, r.object);
  if (p.kind === 'token') {
    const ok = !AUDIO_ACTIONS.has(r.action) && p.scopes.some((s) => SCOPE_ACTIONS[s].includes(r.action));
    return ok
      ? { allowed: true, role: 'token' }
      : {
          allowed: false,
          role: 'token',
          error: AccessErrors.DENIED,
          reason: 'token scope does not cover the action',
        };
  }
  let refusal: (RoleVerdict & object & { role: Role }) | undefined;
  for (const role of p.roles) {
    const v = roleVerdict(role, p, r);
    if (!v) return { allowed: true, role };
    if (!refusal || (refusal.error === AccessErrors.DENIED && v.error !== AccessErrors.DENIED))
      refusal = { ...v, role };
  }
  if (!refusal) return { allowed: false, role: 'none', error: AccessErrors.DENIED, reason: 'no role' };
  return { allowed: false, role: refusal.role, error: refusal.error, reason: refusal.reason };
}
