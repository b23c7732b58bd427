/**
 * Roles, actions and the access matrix (R-SEC-1, R-MIN-3, R-SEC-5). Pure data and pure functions: the
 * request-time check that applies them and writes the access log is src/api/access/require-access.ts.
 * docs/api.md renders the same matrix for humans; a test keeps both in step.
 */
import { PURPOSES, ROLES, type Purpose, type Role } from '../../policy/policy.types.ts';

/** Roles and purposes are the policy engine's lists (R-PUR-1); re-exported so the API has one import. */
export { PURPOSES, ROLES, type Purpose, type Role };

export const ACTIONS = [
  // Hearing audio: needs a purpose (R-MIN-2), a tied role (R-MIN-3) and a second factor (R-SEC-1).
  'play',
  'live_listen',
  'download',
  'export',
  // Lifecycle and policy (R-SEC-2 lists them as sensitive).
  'delete',
  'retention_change',
  'policy_change',
  'hold',
  // Call control.
  'objection',
  'pause',
  'resume',
  'card_data',
  'personal_call',
  // R-PUR-6: only the agent handling the call may press it (decide.ts).
  'incident',
  // Reading.
  'live_list',
  'policy_read',
  'search',
  'read_metadata',
  'read_self',
  // Administration.
  'user_admin',
  'token_admin',
  'audit_read',
  'audit_verify',
  'webhook_admin',
  'integration_read',
  'team_read',
  // Evaluation and analytics (R-MIN-2, R-MIN-3): team-scoped, and `evaluate` bound to a purpose.
  'evaluate',
  'grid_read',
  'grid_admin',
  'calibrate',
  'analytics_read',
  // Data-subject requests: read or change one (R-DSR-1..4); erasure stays `delete`, export `export`.
  'dsr',
  // Authentication events (logged, never denied by the matrix).
  'login',
  'logout',
  'health',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Actions that deliver audio: every one needs a declared purpose that is one of the recording's. */
export const AUDIO_ACTIONS: ReadonlySet<Action> = new Set(['play', 'live_listen', 'download', 'export']);

/** Actions bound to a declared purpose without delivering audio (R-MIN-2, R-MIN-3): scoring a call. */
export const PURPOSE_ACTIONS: ReadonlySet<Action> = new Set(['evaluate', 'calibrate']);

/** Actions logged in the access log (R-SEC-2), allowed or denied; `health` is the only one not logged. */
export function isLogged(action: Action): boolean {
  return action !== 'health';
}

/**
 * R-MIN-3: the purposes each role may hear audio for. A role absent here never hears audio. The DPO is
 * tied to the evidential purposes (the compliance officer of a sector policy, a contract dispute).
 */
export const ROLE_PURPOSES: Readonly<Record<Role, readonly Purpose[]>> = {
  admin: [],
  dpo: ['contract_proof', 'legal_obligation'],
  supervisor: ['quality', 'evaluation', 'agent_incident'],
  evaluator: ['evaluation', 'quality'],
  trainer: ['training'],
  agent: [],
  auditor: [],
};

/** R-SEC-1: roles that can hear audio must use a second factor. */
export function hearsAudio(role: Role): boolean {
  return ROLE_PURPOSES[role].length > 0;
}

/** Roles scoped to their teams (R-MIN-3); `agent` is scoped to themself. */
export const TEAM_SCOPED: ReadonlySet<Role> = new Set(['supervisor', 'evaluator', 'trainer']);

/** What every team-scoped quality role may attempt (their teams only, decide.ts). */
const QUALITY: readonly Action[] = ['search', 'read_metadata', 'live_list', 'team_read', 'grid_read'];

/** Which roles may attempt which non-audio actions at all (least privilege, R-SEC-1). */
const ROLE_ACTIONS: Readonly<Record<Role, readonly Action[]>> = {
  admin: [
    'user_admin',
    'token_admin',
    'audit_verify',
    'webhook_admin',
    'integration_read',
    'team_read',
    'grid_read',
    'grid_admin',
  ],
  dpo: [
    'delete',
    'retention_change',
    'policy_change',
    'policy_read',
    'hold',
    'search',
    'read_metadata',
    'audit_read',
    'audit_verify',
    'team_read',
    'dsr',
  ],
  supervisor: [...QUALITY, 'evaluate', 'analytics_read'],
  evaluator: [...QUALITY, 'evaluate', 'analytics_read'],
  trainer: [...QUALITY, 'evaluate', 'analytics_read', 'grid_admin', 'calibrate'],
  agent: ['objection', 'pause', 'resume', 'card_data', 'personal_call', 'incident', 'read_metadata'],
  auditor: ['audit_read', 'audit_verify', 'policy_read'],
};

const EVERYONE: ReadonlySet<Action> = new Set(['read_self', 'login', 'logout', 'health']);

/** The role part of the matrix, before purpose, scope, second factor and policy are considered. */
export function roleMayAttempt(role: Role, action: Action): boolean {
  if (EVERYONE.has(action)) return true;
  if (AUDIO_ACTIONS.has(action)) return hearsAudio(role);
  return ROLE_ACTIONS[role].includes(action);
}

/** Integration tokens carry scopes, not roles; the call-control actions a CTI or CRM may perform. */
export const TOKEN_SCOPES = ['calls:control', 'recordings:read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_ACTIONS: Readonly<Record<TokenScope, readonly Action[]>> = {
  // Never `incident` (R-PUR-6: the agent's own button, no automatic or third-party trigger).
  'calls:control': ['objection', 'pause', 'resume', 'card_data', 'personal_call'],
  'recordings:read': ['search', 'read_metadata'],
};

export function isRole(x: string): x is Role {
  return (ROLES as readonly string[]).includes(x);
}

export function isPurpose(x: string): x is Purpose {
  return (PURPOSES as readonly string[]).includes(x);
}
