import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess, needsSecondFactor } from '../access/require-access.ts';
import { CSRF_COOKIE, SESSION_COOKIE, sessionOf } from '../guard.ts';
import { logLogin, startSession } from './login.session.ts';
import { OIDC_LOGIN_PATH, ssoConfigured } from './oidc.routes.ts';
import { errors, ok } from '../schemas.ts';
import type { IdentityStore, SecondFactor, User } from './identity.store.ts';
import type { LoginThrottle } from './throttle.ts';
import { verifyPassword } from './password.ts';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp.ts';
import { hearsAudio } from '../access/roles.ts';

export interface AuthDeps {
  readonly api: ApiDeps;
  readonly identity: IdentityStore;
  readonly throttle: LoginThrottle;
}

const me = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    login: { type: 'string' },
    displayName: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    teams: { type: 'array', items: { type: 'string' } },
    totpEnabled: { type: 'boolean' },
    secondFactor: {
      type: ['string', 'null'],
      enum: ['totp', 'idp', null],
      description:
        'R-SEC-1: the second factor this session proved: totp (Ecoute), idp (MFA asserted by the SSO ' +
        'provider), null (none).',
    },
    totpRequired: {
      type: 'boolean',
      description: 'R-SEC-1: this session must enrol TOTP before anything else.',
    },
    totpVerifyRequired: {
      type: 'boolean',
      description:
        'R-SEC-1: TOTP is enrolled but this session (an SSO login without accepted MFA) has not given a ' +
        'code: POST /api/auth/totp/verify before anything else.',
    },
  },
  required: [
    'id',
    'login',
    'displayName',
    'roles',
    'teams',
    'totpEnabled',
    'secondFactor',
    'totpRequired',
    'totpVerifyRequired',
  ],
} as const;

const providers = {
  type: 'object',
  properties: {
    password: { type: 'boolean', description: 'Local accounts log in with POST /api/auth/login.' },
    oidc: {
      type: 'object',
      description: 'Present when OpenID Connect SSO is configured (`oidc.issuer`).',
      properties: {
        loginUrl: { type: 'string', description: 'Where the browser goes to start an SSO login.' },
      },
      required: ['loginUrl'],
    },
  },
  required: ['password'],
} as const;

const codeBody = {
  type: 'object',
  properties: { code: { type: 'string', pattern: '^\\d{6}$' } },
  required: ['code'],
  additionalProperties: false,
} as const;

const loginBody = {
  type: 'object',
  properties: {
    login: { type: 'string', minLength: 1, maxLength: 100 },
    password: { type: 'string', minLength: 1, maxLength: 200 },
    totp: { type: 'string', pattern: '^\\d{6}$' },
  },
  required: ['login', 'password'],
  additionalProperties: false,
} as const;

/** The account as its own session sees it; `factor` is the session's second factor (R-SEC-1). */
function meOf(u: User, factor: SecondFactor | undefined): Record<string, unknown> {
  const blocked = factor === undefined && u.roles.some(hearsAudio);
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    roles: u.roles,
    teams: u.teams,
    totpEnabled: u.totpEnabled,
    secondFactor: factor ?? null,
    totpRequired: blocked && !u.totpEnabled,
    totpVerifyRequired: blocked && u.totpEnabled,
  };
}

export const authRoutes =
  (d: AuthDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const { api, identity, throttle } = d;

    app.post<{ Body: { login: string; password: string; totp?: string } }>(
      '/api/auth/login',
      {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          body: loginBody,
          response: {
            200: {
              type: 'object',
              properties: { csrfToken: { type: 'string' }, user: me },
              required: ['csrfToken', 'user'],
            },
            401: errors[401],
            429: errors[401],
          },
        },
      },
      async (req, reply) => {
        const { login, password, totp } = req.body;
        const wait = throttle.waitMs(login, req.ip);
        if (wait > 0) throw fail(ApiErrors.THROTTLED, undefined, { retryAfterS: Math.ceil(wait / 1000) });
        const user = await identity.byLogin(login);
        const good =
          user !== undefined && !user.disabled && (await verifyPassword(password, user.passwordHash));
        if (!good || !user) {
          throttle.failure(login, req.ip);
          await logLogin(api, req, {
            actor: user?.id ?? 'unknown',
            role: user?.roles[0] ?? 'none',
            result: 'denied',
            detail: { code: ApiErrors.BAD_CREDENTIALS.code },
          });
          throw fail(ApiErrors.BAD_CREDENTIALS);
        }
        if (user.totpEnabled) {
          const step =
            totp && user.totpSecret
              ? verifyTotp(user.totpSecret, totp, api.clock.now(), user.totpLastStep)
              : undefined;
          // The step is spent in the store (not in this process): a replay on another node fails too.
          if (step === undefined || !(await identity.claimTotpStep(user.id, step))) {
            throttle.failure(login, req.ip);
            await logLogin(api, req, {
              actor: user.id,
              role: user.roles[0] ?? 'none',
              result: 'denied',
              detail: { code: ApiErrors.TOTP_INVALID.code },
            });
            throw fail(totp ? ApiErrors.TOTP_INVALID : ApiErrors.TOTP_REQUIRED);
          }
        }
        throttle.success(login);
        // R-SEC-1: the session carries TOTP only because this login checked the code just above.
        const factor: SecondFactor | undefined = user.totpEnabled ? 'totp' : undefined;
        const s = await startSession(api, identity, reply, user.id, factor);
        await logLogin(api, req, {
          actor: user.id,
          role: user.roles[0] ?? 'none',
          result: 'allowed',
          detail: { method: 'password', secondFactor: factor ?? 'none' },
        });
        return { csrfToken: s.csrf, user: meOf(user, factor) };
      },
    );

    // Public: the login page asks it before any session exists. Configuration only, never who may log in.
    app.get(
      '/api/auth/providers',
      {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'How one may log in here: password, and SSO when configured (for the login page).',
          response: { 200: providers },
        },
      },
      () => ({ password: true, ...(ssoConfigured(api) && { oidc: { loginUrl: OIDC_LOGIN_PATH } }) }),
    );

    app.post(
      '/api/auth/logout',
      { config: { access: 'logout' }, schema: { tags: ['auth'], response: { 200: ok, ...errors } } },
      async (req, reply) => {
        const idHash = sessionOf(req)?.idHash;
        if (idHash) await identity.revokeSession(idHash);
        void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
        return { ok: true };
      },
    );

    app.get(
      '/api/auth/me',
      { config: { access: 'read_self' }, schema: { tags: ['auth'], response: { 200: me, ...errors } } },
      async (req) => {
        const u = req.principal?.kind === 'user' ? await identity.byId(req.principal.id) : undefined;
        if (!u) throw fail(ApiErrors.UNAUTHENTICATED);
        return meOf(u, sessionOf(req)?.secondFactor);
      },
    );

    app.post(
      '/api/auth/totp/enrol',
      {
        config: { access: 'read_self' },
        schema: {
          tags: ['auth'],
          response: {
            200: {
              type: 'object',
              properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' } },
              required: ['secret', 'otpauthUri'],
            },
            ...errors,
            409: errors[400],
          },
        },
      },
      async (req) => {
        const u = req.principal?.kind === 'user' ? await identity.byId(req.principal.id) : undefined;
        if (!u) throw fail(ApiErrors.UNAUTHENTICATED);
        // Re-enrolling an active factor needs an administrator's reset: a stolen session cannot swap it.
        if (u.totpEnabled) throw fail(ApiErrors.CONFLICT, 'a second factor is already enrolled');
        const secret = generateTotpSecret();
        await identity.setTotp(u.id, secret, false);
        return { secret, otpauthUri: otpauthUri(secret, u.login) };
      },
    );

    app.post<{ Body: { code: string } }>(
      '/api/auth/totp/confirm',
      {
        config: { access: 'read_self' },
        schema: {
          tags: ['auth'],
          body: codeBody,
          response: { 200: me, ...errors },
        },
      },
      async (req) => {
        const u = req.principal?.kind === 'user' ? await identity.byId(req.principal.id) : undefined;
        const session = sessionOf(req);
        if (!u?.totpSecret || u.totpEnabled || !session)
          throw fail(ApiErrors.TOTP_INVALID, 'no enrolment in progress');
        const step = verifyTotp(u.totpSecret, req.body.code, api.clock.now(), u.totpLastStep);
        if (step === undefined || !(await identity.claimTotpStep(u.id, step)))
          throw fail(ApiErrors.TOTP_INVALID);
        await identity.setTotp(u.id, u.totpSecret, true);
        // R-SEC-1: this session has just shown the code; other open sessions of the account have not.
        await identity.setSessionSecondFactor(session.idHash, 'totp');
        await requireAccess(req, {
          action: 'read_self',
          object: { type: 'user', id: u.id },
          detail: { totp: 'enrolled', secondFactor: 'totp' },
        });
        return meOf({ ...u, totpEnabled: true }, 'totp');
      },
    );

    app.post<{ Body: { code: string } }>(
      '/api/auth/totp/verify',
      {
        config: { access: 'read_self' },
        schema: {
          tags: ['auth'],
          description:
            'R-SEC-1: gives the enrolled TOTP code in a session opened without a second factor (an SSO ' +
            'login whose provider asserted no accepted MFA). Throttled like the login.',
          body: codeBody,
          response: { 200: me, ...errors, 429: errors[401] },
        },
      },
      async (req) => {
        const u = req.principal?.kind === 'user' ? await identity.byId(req.principal.id) : undefined;
        const session = sessionOf(req);
        if (!u || !session) throw fail(ApiErrors.UNAUTHENTICATED);
        if (!u.totpEnabled || !u.totpSecret) throw fail(ApiErrors.TOTP_INVALID, 'no TOTP enrolled');
        const wait = throttle.waitMs(u.login, req.ip);
        if (wait > 0) throw fail(ApiErrors.THROTTLED, undefined, { retryAfterS: Math.ceil(wait / 1000) });
        const step = verifyTotp(u.totpSecret, req.body.code, api.clock.now(), u.totpLastStep);
        const entry = { actor: u.id, role: u.roles[0] ?? 'none' };
        // Spent in the store like a login's code: a code seen once is refused on every node.
        if (step === undefined || !(await identity.claimTotpStep(u.id, step))) {
          throttle.failure(u.login, req.ip);
          await logLogin(api, req, {
            ...entry,
            result: 'denied',
            detail: { method: 'totp_verify', code: ApiErrors.TOTP_INVALID.code },
          });
          throw fail(ApiErrors.TOTP_INVALID);
        }
        throttle.success(u.login);
        await identity.setSessionSecondFactor(session.idHash, 'totp');
        await logLogin(api, req, {
          ...entry,
          result: 'allowed',
          detail: { method: 'totp_verify', secondFactor: 'totp' },
        });
        return meOf(u, 'totp');
      },
    );
    void needsSecondFactor;
  };
