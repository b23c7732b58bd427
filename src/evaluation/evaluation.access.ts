/**
 * Who may evaluate what (R-MIN-2, R-MIN-3), on top of the API's access matrix: the evaluator must be able
 * to hear the recording for the evaluation's purpose (a role tied to that purpose, the recording's team
 * among theirs), and the purpose must be one of the recording's and one that evaluation serves.
 */
import { ROLE_PURPOSES, TEAM_SCOPED, type Purpose, type Role } from '../api/access/roles.ts';
import type { Recording } from '../db/recordings.repo.ts';
import { fail } from '../errors.ts';
import { EvaluationErrors } from './errors.ts';

/** The person acting, as the API knows them. */
export interface Actor {
  readonly id: string;
  readonly roles: readonly Role[];
  readonly teams: readonly string[];
  readonly agentId?: string | undefined;
}

/** The purposes an evaluation can serve. */
export const EVALUATION_PURPOSES: readonly Purpose[] = ['evaluation', 'quality', 'training'];

/** Roles that manage grid templates and run calibration sessions. */
export const GRID_ROLES: readonly Role[] = ['admin', 'trainer'];
export const CALIBRATION_ROLES: readonly Role[] = ['trainer'];
/** Roles that read team aggregates and per-recording analytics (quality managers). */
export const ANALYTICS_ROLES: readonly Role[] = ['supervisor', 'trainer', 'evaluator'];

export function inTeams(actor: Actor, role: Role, team: string | undefined): boolean {
  return !TEAM_SCOPED.has(role) || (team !== undefined && actor.teams.includes(team));
}

/** Throws unless `actor` may evaluate `rec` for `purpose`. */
export function assertMayEvaluate(actor: Actor, rec: Recording, purpose: string): void {
  const p = purpose as Purpose;
  if (!EVALUATION_PURPOSES.includes(p) || !rec.purposes.includes(p))
    throw fail(EvaluationErrors.PURPOSE, 'purpose not among the recording\u2019s evaluation purposes', {
      recordingId: rec.id,
    });
  const ok = actor.roles.some((r) => ROLE_PURPOSES[r].includes(p) && inTeams(actor, r, rec.team));
  if (!ok)
    throw fail(EvaluationErrors.FORBIDDEN, 'role not tied to the purpose or recording outside the teams');
}

/** Throws unless one of the actor's roles is in `roles` (and, when a team is given, in scope). */
export function assertRole(actor: Actor, roles: readonly Role[], team?: string): void {
  const ok = actor.roles.some((r) => roles.includes(r) && (team === undefined || inTeams(actor, r, team)));
  if (!ok) throw fail(EvaluationErrors.FORBIDDEN, 'role not allowed here');
}
