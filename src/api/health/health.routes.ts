import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { problemRef } from '../schemas.ts';

const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

/** Liveness (`/health`: the process answers) and readiness (`/ready`: its dependencies answer). */
export const healthRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get(
      '/health',
      { config: { access: 'public' }, schema: { tags: ['health'], response: { 200: status } } },
      () => ({ status: 'ok' }),
    );
    app.get(
      '/ready',
      {
        config: { access: 'public' },
        schema: { tags: ['health'], response: { 200: status, 503: problemRef } },
      },
      async () => {
        try {
          for (const probe of deps.probes ?? []) await probe();
        } catch (e) {
          throw fail(ApiErrors.NOT_READY, undefined, {}, e);
        }
        return { status: 'ready' };
      },
    );
  };
