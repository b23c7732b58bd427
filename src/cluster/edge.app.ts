/**
 * The HTTP server of a node without the `api` role (`--roles ingest` or `--roles jobs`): liveness,
 * readiness and metrics, plus the plugins its roles bring (the WebSocket ingest endpoints). No console,
 * no account, no recording is reachable through it.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from '../log.ts';

export interface EdgeAppDeps {
  readonly log: Logger;
  readonly plugins: readonly FastifyPluginAsync[];
  readonly probes: readonly (() => Promise<void>)[];
}

const status = { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } as const;

export async function buildEdgeApp(deps: EdgeAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log,
    // No per-request log lines: URLs and headers can carry personal data (STYLE.md §11).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
  }) as unknown as FastifyInstance;
  app.get('/health', { config: { access: 'public' }, schema: { response: { 200: status } } }, () => ({
    status: 'ok',
  }));
  app.get(
    '/ready',
    { config: { access: 'public' }, schema: { response: { 200: status, 503: status } } },
    async (_req, reply) => {
      try {
        for (const probe of deps.probes) await probe();
        return { status: 'ready' };
      } catch {
        return reply.code(503).send({ status: 'not ready' });
      }
    },
  );
  for (const plugin of deps.plugins) await app.register(plugin);
  await app.ready();
  return app;
}
