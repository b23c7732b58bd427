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

    app.patch<{
      Params: { id: string };
      Body: { roles?: Role[]; teams?: string[]; disabled?: boolean; resetTotp?: boolean };
    }>(
      '/api/users/:id',
      {
        config: { access: { action: 'user_admin', inHandler: true } },
        schema: {
          tags: ['users'],
          params: idParam,
          body: {
            type: 'object',
            properties: { roles, teams, disabled: { type: 'boolean' }, resetTotp: { type: 'boolean' } },
            additionalProperties: false,
          },
          response: { 200: user, ...errors },
        },
      },
      async (req) => {
        await requireAccess(req, {
          action: 'user_admin',
          object: { type: 'user', id: req.params.id },
          detail: { change: Object.keys(req.body) },
        });
        const u = await identity.byId(req.params.id);
        if (!u) throw fail(ApiErrors.NOT_FOUND);
        await identity.update(u.id, {
          roles: req.body.roles,
          teams: req.body.teams,
          disabled: req.body.disabled,
        });
        if (req.body.resetTotp) await identity.setTotp(u.id, null, false);
        // A change of roles or teams takes effect now: open sessions are closed.
        if (req.body.roles || req.body.teams || req.body.resetTotp) await identity.revokeUserSessions(u.id);
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
          response: { 200: ok, ...errors },
        },
      },
      async (req) => {
        await requireAccess(req, {
          action: 'user_admin',
          object: { type: 'user', id: req.params.id },
          detail: { change: ['disabled'] },
        });
        if (!(await identity.byId(req.params.id))) throw fail(ApiErrors.NOT_FOUND);
        await identity.update(req.params.id, { disabled: true });
        return { ok: true };
      },
    );
  };
