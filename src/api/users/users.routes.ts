import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import { requireAccess } from '../access/require-access.ts';
import { ROLES, type Role } from '../access/roles.ts';
import { errors, idParam, ok } from '../schemas.ts';
import type { IdentityStore, User } from '../auth/identity.store.ts';
import { generatePassword, hashPassword } from '../auth/password.ts';

const user = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    login: { type: 'string' },
    displayName: { type: 'string' },
    roles: { type: 'array', items: { type: 'string', enum: [...ROLES] } },
    teams: { type: 'array', items: { type: 'string' } },
    totpEnabled: { type: 'boolean' },
    disabled: { type: 'boolean' },
    agentId: { type: ['string', 'null'] },
  },
  required: ['id', 'login', 'roles', 'teams', 'totpEnabled', 'disabled'],
} as const;

const view = (u: User) => ({
  id: u.id,
  login: u.login,
  displayName: u.displayName,
  roles: u.roles,
  teams: u.teams,
  totpEnabled: u.totpEnabled,
  disabled: u.disabled,
  agentId: u.agentId ?? null,
});

const roles = {
  type: 'array',
  items: { type: 'string', enum: [...ROLES] },
  minItems: 1,
  uniqueItems: true,
} as const;
const teams = { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true } as const;

interface CreateBody {
  login: string;
  displayName?: string;
  roles: Role[];
  teams?: string[];
  agentId?: string;
}

interface UserPatch {
  roles?: Role[];
  teams?: string[];
  displayName?: string;
  disabled?: boolean;
  resetTotp?: boolean;
}

/** Refuses a change that would leave no enabled administrator (nobody could then manage accounts). */
async function keepOneAdmin(identity: IdentityStore, leaving: string): Promise<void> {
  const others = (await identity.list()).filter(
    (o) => o.id !== leaving && !o.disabled && o.roles.includes('admin'),
  );
  if (others.length === 0) throw fail(ApiErrors.LAST_ADMIN);
}

/** Account administration (admin only, R-SEC-1: individual accounts, least privilege). */
export const usersRoutes =
  (identity: IdentityStore): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get(
      '/api/users',
      {
        config: { access: 'user_admin' },
        schema: { tags: ['users'], response: { 200: { type: 'array', items: user }, ...errors } },
      },
      async () => (await identity.list()).map(view),
    );

    app.post<{ Body: CreateBody }>(
      '/api/users',
      {
        config: { access: 'user_admin' },
        schema: {
          tags: ['users'],
          description:
            'Creates an account; the one-time password is in the response, once, and never logged.',
          body: {
            type: 'object',
            properties: {
              login: { type: 'string', pattern: '^[a-zA-Z0-9._-]{2,64}$' },
              displayName: { type: 'string', maxLength: 200 },
              roles,
              teams,
              agentId: { type: 'string' },
            },
            required: ['login', 'roles'],
            additionalProperties: false,
          },
          response: {
            201: {
              type: 'object',
              properties: { user, oneTimePassword: { type: 'string' } },
              required: ['user', 'oneTimePassword'],
            },
            ...errors,
            409: errors[400],
          },
        },
      },
      async (req, reply) => {
        const b = req.body;
        if (await identity.byLogin(b.login)) throw fail(ApiErrors.CONFLICT, 'login already taken');
        const password = generatePassword();
        const u = await identity.create({
          login: b.login,
          displayName: b.displayName ?? b.login,
          passwordHash: await hashPassword(password),
          roles: b.roles,
          teams: b.teams ?? [],
          agentId: b.agentId,
        });
        void reply.code(201);
        return { user: view(u), oneTimePassword: password };
      },
    );

    app.patch<{ Params: { id: string }; Body: UserPatch }>(
      '/api/users/:id',
      {
        config: { access: { action: 'user_admin', inHandler: true } },
        schema: {
          tags: ['users'],
          description:
            'Changes roles, team scopes, display name or the disabled flag, or resets TOTP. A change of ' +
            'roles, teams, TOTP or a disable closes the user\u2019s open sessions. The last enabled ' +
            'administrator cannot be disabled or lose the admin role (409 ECOUTE_API_LAST_ADMIN).',
          params: idParam,
          body: {
            type: 'object',
            properties: {
              roles,
              teams,
              displayName: { type: 'string', minLength: 1, maxLength: 200 },
              disabled: { type: 'boolean' },
              resetTotp: { type: 'boolean' },
            },
            additionalProperties: false,
            minProperties: 1,
          },
          response: { 200: user, ...errors, 409: errors[400] },
        },
      },
      async (req) => {
        const b = req.body;
        await requireAccess(req, {
          action: 'user_admin',
          object: { type: 'user', id: req.params.id },
          detail: { change: Object.keys(b) },
        });
        const u = await identity.byId(req.params.id);
        if (!u) throw fail(ApiErrors.NOT_FOUND);
        const losesAdmin = b.disabled === true || (b.roles !== undefined && !b.roles.includes('admin'));
        if (losesAdmin && u.roles.includes('admin') && !u.disabled) await keepOneAdmin(identity, u.id);
        await identity.update(u.id, {
          roles: b.roles,
          teams: b.teams,
          disabled: b.disabled,
          displayName: b.displayName,
        });
        if (b.resetTotp) await identity.setTotp(u.id, null, false);
        // A change of roles, teams or factor takes effect now: open sessions are closed (a disable
        // closes them in identity.update).
        if (b.roles || b.teams || b.resetTotp) await identity.revokeUserSessions(u.id);
        return view((await identity.byId(u.id)) as User);
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/users/:id',
      {
        config: { access: { action: 'user_admin', inHandler: true } },
        schema: {
          tags: ['users'],
          description: 'Disables the account (kept for the access log).',
          params: idParam,
          response: { 200: ok, ...errors, 409: errors[400] },
        },
      },
      async (req) => {
        await requireAccess(req, {
          action: 'user_admin',
          object: { type: 'user', id: req.params.id },
          detail: { change: ['disabled'] },
        });
        const u = await identity.byId(req.params.id);
        if (!u) throw fail(ApiErrors.NOT_FOUND);
        if (u.roles.includes('admin') && !u.disabled) await keepOneAdmin(identity, u.id);
        await identity.update(u.id, { disabled: true });
        return { ok: true };
      },
    );
  };
