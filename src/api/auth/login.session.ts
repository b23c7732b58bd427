/**
 * What every way of logging in shares (password, OpenID Connect): the access-log entry of the attempt
 * (R-SEC-2) and the session it opens, as an HTTP-only session cookie plus a readable CSRF cookie. The
 * session records the second factor the login verified (R-SEC-1), and so does the log entry.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../deps.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../guard.ts';
import type { IdentityStore, SecondFactor } from './identity.store.ts';

export function logLogin(
  api: ApiDeps,
  req: FastifyRequest,
  entry: { actor: string; role: string; result: 'allowed' | 'denied'; detail?: Record<string, unknown> },
): Promise<void> {
  return api.accessLog
    .append({
      actor: entry.actor,
      role: entry.role,
      action: 'login',
      objectType: 'session',
      result: entry.result,
      sourceAddress: req.ip,
      detail: entry.detail ?? {},
    })
    .then(() => undefined);
}

/**
 * Opens a session for `userId` with the second factor this login verified (undefined: none) and sets
 * its cookies; returns the CSRF token for the client.
 */
export async function startSession(
  api: ApiDeps,
  identity: IdentityStore,
  reply: FastifyReply,
  userId: string,
  secondFactor: SecondFactor | undefined,
): Promise<{ csrf: string }> {
  const s = await identity.openSession(userId, secondFactor);
  const base = { path: '/', sameSite: 'strict' as const, secure: api.config.http.secureCookies };
  const expires = new Date(s.expiresAt);
  void reply.setCookie(SESSION_COOKIE, s.sessionId, { ...base, httpOnly: true, expires });
  void reply.setCookie(CSRF_COOKIE, s.csrf, { ...base, httpOnly: false, expires });
  return { csrf: s.csrf };
}
