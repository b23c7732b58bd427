import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess, needsSecondFactor } from '../access/require-access.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../guard.ts';
import { logLogin, startSession } from './login.session.ts';
import { errors, ok } from '../schemas.ts';
import type { IdentityStore, User } from './identity.store.ts';
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
    totpRequired: {
      type: 'boolean',
      description: 'R-SEC-1: this account must enrol TOTP before anything else.',
    },
  },
  required: ['id', 'login', 'displayName', 'roles', 'teams', 'totpEnabled', 'totpRequired'],
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

function meOf(u: User): Record<string, unknown> {
  return {
    id: u.id,
    login: u.login,
    displayName: u.displayName,
    roles: u.roles,
    teams: u.teams,
    totpEnabled: u.totpEnabled,
    totpRequired: !u.totpEnabled && u.roles.some(hearsAudio),
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
        const s = await startSession(api, identity, reply, user.id);
        await logLogin(api, req, { actor: user.id, role: user.roles[0] ?? 'none', result: 'allowed' });
        return { csrfToken: s.csrf, user: meOf(user) };
      },
    );

    app.post(
      '/api/auth/logout',
      { config: { access: 'logout' }, schema: { tags: ['auth'], response: { 200: ok, ...errors } } },
      async (req, reply) => {
        const idHash = (req as FastifyRequest & { sessionIdHash?: string }).sessionIdHash;
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
        return meOf(u);
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
          body: {
            type: 'object',
            properties: { code: { type: 'string', pattern: '^\\d{6}$' } },
            required: ['code'],
            additionalProperties: false,
          },
          response: { 200: me, ...errors },
        },
      },
      async (req) => {
        const u = req.principal?.kind === 'user' ? await identity.byId(req.principal.id) : undefined;
        if (!u?.totpSecret || u.totpEnabled) throw fail(ApiErrors.TOTP_INVALID, 'no enrolment in progress');
        const step = verifyTotp(u.totpSecret, req.body.code, api.clock.now(), u.totpLastStep);
        if (step === undefined || !(await identity.claimTotpStep(u.id, step)))
          throw fail(ApiErrors.TOTP_INVALID);
        await identity.setTotp(u.id, u.totpSecret, true);
        await requireAccess(req, {
          action: 'read_self',
          object: { type: 'user', id: u.id },
          detail: { totp: 'enrolled' },
        });
        return meOf({ ...u, totpEnabled: true });
      },
    );
    void needsSecondFactor;
  };
