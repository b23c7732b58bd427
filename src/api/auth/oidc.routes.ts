import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fail, isEcouteError } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { logLogin, startSession } from './login.session.ts';
import { errors, problemRef } from '../schemas.ts';
import type { IdentityStore, User } from './identity.store.ts';
import { ConfigErrors } from '../../config/errors.ts';
import { isRole, type Role } from '../access/roles.ts';
import { OpenIdClient } from './oidc.client.ts';
import {
  assertedMfa,
  loginErrorPath,
  mapClaims,
  parseMfaRules,
  prefersHtml,
  type ClaimMapping,
  type MfaRule,
  type OidcChecks,
  type OidcClaims,
  type OidcProvider,
} from './oidc.ts';

export interface OidcRouteDeps {
  readonly api: ApiDeps;
  readonly identity: IdentityStore;
  readonly provider: OidcProvider;
  readonly mapping: ClaimMapping;
  /** R-SEC-1: the `amr` rules that count as a second factor (`oidc.mfaAmr`); empty: never. */
  readonly mfaRules: readonly MfaRule[];
}

/** The per-attempt state/nonce/PKCE cookie: HTTP-only, scoped to the two SSO routes, 10 minutes. */
export const OIDC_FLOW_COOKIE = 'ecoute_oidc';
const FLOW_PATH = '/api/auth/oidc';
/** Where the console's SSO button sends the browser (announced by `GET /api/auth/providers`). */
export const OIDC_LOGIN_PATH = `${FLOW_PATH}/login`;
const FLOW_TTL_S = 600;

/** SSO accounts never have a usable password: this is no scrypt hash, so verifyPassword always fails. */
export const SSO_NO_PASSWORD = '!sso';

const redirect = {
  302: { type: 'null', description: 'Redirect (Location header).' },
} as const;

function readChecks(raw: string | undefined): OidcChecks | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<OidcChecks>;
    if (typeof v.state === 'string' && typeof v.nonce === 'string' && typeof v.codeVerifier === 'string')
      return { state: v.state, nonce: v.nonce, codeVerifier: v.codeVerifier };
  } catch {
    // a garbled cookie is no login in progress
  }
  return undefined;
}

/**
 * The local login of an SSO user is `oidc:<sub>`, never the IdP's preferred_username: a name chosen at
 * the IdP must not be able to take over a local account such as `admin`.
 */
export const ssoLogin = (sub: string): string => `oidc:${sub}`;

/**
 * GET /api/auth/oidc/login and /callback (issue 6). The IdP is the source of truth for roles and teams:
 * they are rewritten at every SSO login. R-SEC-1: the session's second factor is 'idp' when the signed ID
 * token's `amr` satisfies one of the accepted rules (`oidc.mfaAmr`), none otherwise; without one, a role
 * that can hear audio gets a session limited to enrolling TOTP or giving its code (/api/auth/totp/*),
 * exactly like a password login without TOTP. An enrolled TOTP is never taken as given at SSO login.
 */
export const oidcRoutes =
  (d: OidcRouteDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const { api, identity, provider, mapping, mfaRules } = d;
    const secure = api.config.http.secureCookies;

    app.get(
      OIDC_LOGIN_PATH,
      {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Start an SSO login (redirects to the IdP).',
          description:
            'When the IdP cannot be reached, API clients get ECOUTE_API_OIDC_UNAVAILABLE (503) and a browser ' +
            'navigation is sent to the console, `/login?error=ECOUTE_API_OIDC_UNAVAILABLE`.',
          response: { ...redirect, 503: problemRef },
        },
      },
      async (req, reply) => {
        const checks = provider.newChecks();
        let url: string;
        try {
          url = await provider.authorizationUrl(checks);
        } catch (e) {
          const down = fail(ApiErrors.OIDC_UNAVAILABLE, 'the identity provider did not answer', {}, e);
          req.log.warn({ code: down.code }, 'SSO login: identity provider unreachable');
          if (prefersHtml(req.headers.accept)) return reply.redirect(loginErrorPath(down), 302);
          throw down;
        }
        // SameSite=Lax, not Strict: the callback is a top-level navigation coming from the IdP's site.
        void reply.setCookie(OIDC_FLOW_COOKIE, Buffer.from(JSON.stringify(checks)).toString('base64url'), {
          path: FLOW_PATH,
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: FLOW_TTL_S,
        });
        return reply.redirect(url, 302);
      },
    );

    app.get<{ Querystring: Record<string, string> }>(
      '/api/auth/oidc/callback',
      {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'SSO callback: opens a session and redirects to the console.',
          description:
            'A refused login (ECOUTE_API_OIDC_FAILED, ECOUTE_API_OIDC_NO_ROLE, a disabled account) answers ' +
            'the problem document to API clients; a browser navigation (Accept names text/html) is ' +
            'redirected to the console instead, `/login?error=<code>[&rule=<rule id>]`: the code only, ' +
            'never a claim, name or token.',
          querystring: {
            type: 'object',
            properties: { code: { type: 'string' }, state: { type: 'string' }, error: { type: 'string' } },
          },
          response: { ...redirect, 401: errors[401], 403: errors[401] },
        },
      },
      async (req, reply) => {
        try {
          return await callback(req, reply);
        } catch (e) {
          // The browser came back from the IdP: leave it on the console's login page, which explains the
          // code, not on a raw JSON problem. The refusal was logged where it happened (logLogin).
          if (isEcouteError(e) && prefersHtml(req.headers.accept))
            return reply.redirect(loginErrorPath(e), 302);
          throw e;
        }
      },
    );

    /** The callback proper: validates the IdP's answer, maps the user, opens the session. */
    async function callback(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const checks = readChecks(req.cookies[OIDC_FLOW_COOKIE]);
      void reply.clearCookie(OIDC_FLOW_COOKIE, { path: FLOW_PATH }); // one attempt per cookie
      if (!checks) {
        await logLogin(api, req, {
          actor: 'unknown',
          role: 'none',
          result: 'denied',
          detail: { method: 'oidc', code: ApiErrors.OIDC_FAILED.code },
        });
        throw fail(ApiErrors.OIDC_FAILED, 'no SSO login in progress (expired or missing state cookie)');
      }
      const query = req.url.slice(req.url.indexOf('?') + 1);
      let claims: OidcClaims;
      try {
        claims = await provider.callback(req.url.includes('?') ? query : '', checks);
      } catch (e) {
        await logLogin(api, req, {
          actor: 'unknown',
          role: 'none',
          result: 'denied',
          detail: { method: 'oidc', code: ApiErrors.OIDC_FAILED.code },
        });
        // The error's name only: the IdP's answer (claims, error descriptions) stays out of the log.
        req.log.warn({ err: isEcouteError(e) ? e.code : (e as Error)?.name }, 'oidc callback refused');
        throw isEcouteError(e) ? e : fail(ApiErrors.OIDC_FAILED, undefined, {}, e);
      }
      const user = await upsertUser(req, claims);
      // R-SEC-1: `amr` comes from the validated ID token only (oidc.client.ts); the rule it met is
      // logged (a configured value, no personal data), never the token itself.
      const mfa = assertedMfa(claims.amr, mfaRules);
      const factor = mfa === undefined ? undefined : 'idp';
      await startSession(api, identity, reply, user.id, factor);
      await logLogin(api, req, {
        actor: user.id,
        role: user.roles[0] ?? 'none',
        result: 'allowed',
        detail: { method: 'oidc', secondFactor: factor ?? 'none', ...(mfa && { mfaAmr: mfa }) },
      });
      return reply.redirect('/', 302);
    }

    /** Creates the local account or rewrites its roles/teams from the IdP; refuses users with no role. */
    async function upsertUser(req: FastifyRequest, claims: OidcClaims): Promise<User> {
      const { roles, teams } = mapClaims(claims, mapping);
      const login = ssoLogin(claims.sub);
      const existing = await identity.byLogin(login);
      const displayName = claims.name ?? claims.preferred_username ?? claims.sub;
      if (roles.length === 0) {
        // Removed from every mapped group at the IdP: the local account loses its roles and sessions too.
        if (existing) await identity.update(existing.id, { roles: [], teams: [] });
        if (existing) await identity.revokeUserSessions(existing.id);
        await logLogin(api, req, {
          actor: existing?.id ?? login,
          role: 'none',
          result: 'denied',
          detail: { method: 'oidc', code: ApiErrors.OIDC_NO_ROLE.code },
        });
        throw fail(ApiErrors.OIDC_NO_ROLE);
      }
      if (!existing) {
        return identity.create({ login, displayName, passwordHash: SSO_NO_PASSWORD, roles, teams });
      }
      if (existing.disabled) {
        await logLogin(api, req, {
          actor: existing.id,
          role: existing.roles[0] ?? 'none',
          result: 'denied',
          detail: { method: 'oidc', code: ApiErrors.BAD_CREDENTIALS.code },
        });
        throw fail(ApiErrors.BAD_CREDENTIALS, 'this account is disabled in Ecoute');
      }
      await identity.update(existing.id, { roles, teams, displayName });
      return { ...existing, roles, teams, displayName };
    }
  };

/** Parses `oidc.claimMapping`; a typo in a role name fails at start, not at the first login. */
export function parseClaimMapping(text: string | undefined): ClaimMapping {
  const bad = (why: string) => fail(ConfigErrors.INVALID_FIELD, `oidc.claimMapping: ${why}`);
  if (!text) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('not a JSON object');
  const out: Record<string, { role?: Role; team?: string }> = {};
  for (const [group, m] of Object.entries(v as Record<string, unknown>)) {
    if (typeof m !== 'object' || m === null) throw bad(`entry ${group} is not an object`);
    const { role, team } = m as { role?: unknown; team?: unknown };
    if (role !== undefined && (typeof role !== 'string' || !isRole(role)))
      throw bad(`unknown role for ${group}`);
    if (team !== undefined && typeof team !== 'string') throw bad(`team of ${group} is not a string`);
    out[group] = { ...(role ? { role } : {}), ...(typeof team === 'string' ? { team } : {}) };
  }
  return out;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

/** SSO is on when an issuer is configured: the SSO routes exist, and the console offers the button. */
export const ssoConfigured = (api: Pick<ApiDeps, 'config'>): boolean => Boolean(api.config.oidc.issuer);

/** The SSO plugin from configuration, or undefined when `oidc.issuer` is not set. */
export function oidcPluginFromConfig(api: ApiDeps, identity: IdentityStore): FastifyPluginAsync | undefined {
  const c = api.config.oidc;
  if (!ssoConfigured(api) || !c.issuer) return undefined;
  if (!c.clientId || !c.redirectUrl)
    throw fail(
      ConfigErrors.INVALID_FIELD,
      'oidc.clientId and oidc.redirectUrl are required with oidc.issuer',
    );
  const provider = new OpenIdClient({
    issuer: c.issuer,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    redirectUrl: c.redirectUrl,
    // Plain HTTP only to a loopback IdP (a local test provider); anything else must be HTTPS.
    allowInsecureHttp: LOOPBACK.test(c.issuer),
  });
  const mfa = parseMfaRules(c.mfaAmr);
  if ('error' in mfa) throw fail(ConfigErrors.INVALID_FIELD, `oidc.mfaAmr: ${mfa.error}`);
  return oidcRoutes({
    api,
    identity,
    provider,
    mapping: parseClaimMapping(c.claimMapping),
    mfaRules: mfa.rules,
  });
}
