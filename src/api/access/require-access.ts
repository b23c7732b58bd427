import type { FastifyRequest } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import { decide, type AccessObject, type Principal } from './decide.ts';
import { hearsAudio, isLogged, type Action } from './roles.ts';
import type { AccessLog } from '../../audit/access-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook; undefined on public routes without credentials. */
    principal: Principal | undefined;
    /** Set by requireAccess; the guard refuses to answer a guarded route that never called it. */
    accessChecked: boolean;
  }
}

export interface AccessCheck {
  readonly action: Action;
  readonly object?: AccessObject;
  readonly purpose?: string | undefined;
  /** Non-personal facts for the log entry (a byte range, a result count). */
  readonly detail?: Readonly<Record<string, unknown>>;
}

let accessLogOf: (req: FastifyRequest) => AccessLog = () => {
  throw new Error('requireAccess used before the app installed its access log');
};

/** Called once by buildApp: the access log that requireAccess writes to. */
export function bindAccessLog(get: (req: FastifyRequest) => AccessLog): void {
  accessLogOf = get;
}

/** R-SEC-1: a person whose role can hear audio but who has no second factor may only enrol one. */
export function needsSecondFactor(p: Principal | undefined): boolean {
  return p?.kind === 'user' && !p.secondFactor && p.roles.some(hearsAudio);
}

const ENROL_ONLY: ReadonlySet<Action> = new Set(['read_self', 'logout', 'login']);

/**
 * The one access check every route goes through (STYLE.md §9). It decides with the pure matrix, writes
 * one access-log entry for every sensitive action, allowed or denied (R-SEC-2), and throws the typed
 * refusal (R-MIN-2, R-MIN-3, R-SEC-1, R-SEC-5, R-EMP-6).
 */
export async function requireAccess(req: FastifyRequest, check: AccessCheck): Promise<Principal> {
  req.accessChecked = true;
  const p = req.principal;
  if (!p) throw fail(ApiErrors.UNAUTHENTICATED);
  const log = accessLogOf(req);
  const base = {
    actor: p.id,
    action: check.action,
    objectType: check.object?.type ?? 'none',
    objectId: check.object?.id ?? null,
    purpose: check.purpose ?? null,
    sourceAddress: req.ip,
  };
  if (needsSecondFactor(p) && !ENROL_ONLY.has(check.action)) {
    await log.append({
      ...base,
      role: p.kind === 'user' ? (p.roles[0] ?? 'none') : 'token',
      result: 'denied',
      detail: { code: ApiErrors.TOTP_REQUIRED.code, rule: 'R-SEC-1' },
    });
    throw fail(ApiErrors.TOTP_REQUIRED);
  }
  const d = decide(p, check);
  if (isLogged(check.action)) {
    const detail = d.allowed
      ? { ...check.detail }
      : { ...check.detail, code: d.error.code, rule: d.error.rule, reason: d.reason };
    await log.append({ ...base, role: d.role, result: d.allowed ? 'allowed' : 'denied', detail });
  }
  if (!d.allowed) throw fail(d.error, d.reason, { action: check.action });
  return p;
}
