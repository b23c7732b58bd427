import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import { requireAccess } from '../access/require-access.ts';
import { TOKEN_SCOPES, type TokenScope } from '../access/roles.ts';
import { errors, idParam, ok } from '../schemas.ts';
import type { IdentityStore } from '../auth/identity.store.ts';

const token = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'integer' },
    revokedAt: { type: ['integer', 'null'] },
    lastUsedAt: { type: ['integer', 'null'] },
  },
  required: ['id', 'name', 'scopes'],
} as const;

/** Integration tokens for telephony and CRM (hashed, scoped, revocable); admin only. */
export const tokensRoutes =
  (identity: IdentityStore): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get(
      '/api/tokens',
      {
        config: { access: 'token_admin' },
        schema: { tags: ['tokens'], response: { 200: { type: 'array', items: token }, ...errors } },
      },
      () => identity.listTokens(),
    );

    app.post<{ Body: { name: string; scopes: TokenScope[] } }>(
      '/api/tokens',
      {
        config: { access: 'token_admin' },
        schema: {
          tags: ['tokens'],
          description: 'Creates a token `eco_…`; its value is returned once and stored only as a hash.',
          body: {
            type: 'object',
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 100 },
              scopes: {
                type: 'array',
                items: { type: 'string', enum: [...TOKEN_SCOPES] },
                minItems: 1,
                uniqueItems: true,
              },
            },
            required: ['name', 'scopes'],
            additionalProperties: false,
          },
          response: {
            201: {
              type: 'object',
              properties: { id: { type: 'string' }, token: { type: 'string' } },
              required: ['id', 'token'],
            },
            ...errors,
          },
        },
      },
      async (req, reply) => {
        void reply.code(201);
        return identity.createToken(req.body.name, req.body.scopes);
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/tokens/:id',
      {
        config: { access: { action: 'token_admin', inHandler: true } },
        schema: { tags: ['tokens'], params: idParam, response: { 200: ok, ...errors } },
      },
      async (req) => {
        await requireAccess(req, { action: 'token_admin', object: { type: 'api_token', id: req.params.id } });
        if (!(await identity.revokeToken(req.params.id))) throw fail(ApiErrors.NOT_FOUND);
        return { ok: true };
      },
    );
  };
