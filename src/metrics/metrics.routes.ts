/**
 * `GET /metrics` for Prometheus. Public like /health (a scraper has no session), hidden from the OpenAPI
 * document; when `metricsToken` is given, a `Authorization: Bearer <token>` header is required instead.
 * It exposes counts only, never personal data.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../errors.ts';
import { ApiErrors } from '../api/errors.ts';
import type { EcouteMetrics } from './metrics.ts';

function sameToken(header: string | undefined, token: string): boolean {
  const got = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

export const metricsRoutes =
  (metrics: EcouteMetrics, metricsToken?: string): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
      if (metricsToken !== undefined && !sameToken(req.headers.authorization, metricsToken))
        throw fail(ApiErrors.UNAUTHENTICATED, 'a metrics token is required');
      const body = await metrics.text();
      return reply.type(metrics.registry.contentType).send(body);
    });
  };
