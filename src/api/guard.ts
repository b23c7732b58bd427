import '@fastify/cookie';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { fail } from '../errors.ts';
import { ApiErrors } from './errors.ts';
import { requireAccess } from './access/require-access.ts';
import { ACTIONS, type Action } from './access/roles.ts';
import { sha256, type IdentityStore, type SecondFactor } from './auth/identity.store.ts';
import { timingSafeEqual } from 'node:crypto';

/**
 * How a route is guarded, declared in its `config.access` (the onRoute hook refuses a route without it):
 * - `public`: no credentials (health, login, the OpenAPI document);
 * - an action: requireAccess runs before the handler with that action;
 * - `{ action, inHandler: true }`: the handler calls requireAccess itself once it knows the object.
 */
export type RouteAccess = 'public' | Action | { readonly action: Action; readonly inHandler: true };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export const SESSION_COOKIE = 'ecoute_session';
export const CSRF_COOKIE = 'ecoute_csrf';

/** The routes every app registered, so a test can enumerate them. */
export interface RouteRecord {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
  readonly hasSchema: boolean;
}

export function installRouteGuard(app: FastifyInstance, routes: RouteRecord[]): void {
  app.addHook('onRoute', (r: RouteOptions) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    if (methods.every((m) => m === 'HEAD')) return; // fastify's automatic HEAD twin of a GET
    const access = r.config?.access;
    const hasSchema =
      r.schema !== undefined &&
      (r.schema.response !== undefined || (r.schema as { hide?: boolean }).hide === true);
    if (
      access === undefined ||
      !hasSchema ||
      (typeof access === 'string' && access !== 'public' && !ACTIONS.includes(access))
    ) {
      throw fail(
        ApiErrors.ROUTE_UNGUARDED,
        `route ${methods.join(',')} ${r.url} lacks a schema or config.access`,
      );
    }
    routes.push({ method: methods.join(','), url: r.url, access, hasSchema });
  });
}

/** The session a request came with (cookie authentication only; a token has none). */
export interface RequestSession {
  readonly idHash: string;
  /** R-SEC-1: the second factor this session proved; undefined: none. */
  readonly secondFactor: SecondFactor | undefined;
}

const sessions = new WeakMap<FastifyRequest, RequestSession>();

export const sessionOf = (req: FastifyRequest): RequestSession | undefined => sessions.get(req);

function equalHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Authenticates by session cookie (with CSRF on non-GET) or by `Authorization: Bearer eco_…`. */
export function installAuthentication(app: FastifyInstance, identity: IdentityStore): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('accessChecked', false);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const t = await identity.tokenByValue(auth.slice(7).trim());
      if (!t) throw fail(ApiErrors.UNAUTHENTICATED, 'unknown or revoked API token');
      req.principal = { kind: 'token', id: `token:${t.id}`, name: t.name, scopes: t.scopes };
      return;
    }
    const sid = req.cookies[SESSION_COOKIE];
    if (!sid) return;
    const s = await identity.session(sid);
    if (!s) return; // an expired or revoked session is no session: guarded routes answer 401
    if (!SAFE.has(req.method)) {
      const header = req.headers['x-csrf-token'];
      if (typeof header !== 'string' || !equalHash(sha256(header), s.csrfHash)) throw fail(ApiErrors.CSRF);
    }
    const u = s.user;
    req.principal = {
      kind: 'user',
      id: u.id,
      login: u.login,
      roles: u.roles,
      teams: u.teams,
      agentId: u.agentId,
      // R-SEC-1: what this session proved (TOTP, or MFA asserted by the SSO provider), not what the
      // account has enrolled: an SSO session of a TOTP-enrolled user has no factor until it verifies one.
      secondFactor: s.secondFactor !== undefined,
    };
    sessions.set(req, { idHash: s.idHash, secondFactor: s.secondFactor });
  });
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const access = req.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    if (typeof access === 'string') await requireAccess(req, { action: access });
  });
  // Defence in depth: a guarded route that answered 2xx without any access check is a bug; refuse it.
  app.addHook('onSend', async (req, reply, payload) => {
    const access = req.routeOptions.config?.access;
    if (access === undefined || access === 'public' || req.accessChecked || reply.statusCode >= 400)
      return payload;
    reply.code(500).type('application/problem+json');
    return JSON.stringify({
      type: 'urn:ecoute:error:ECOUTE_API_ROUTE_UNGUARDED',
      title: 'ECOUTE_API_ROUTE_UNGUARDED',
      status: 500,
      code: 'ECOUTE_API_ROUTE_UNGUARDED',
      detail: 'internal error',
    });
  });
}
