import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { ApiDeps } from './deps.ts';
import { installProblemHandler, problemSchema } from './problem.ts';
import { installAuthentication, installRouteGuard, type RouteRecord } from './guard.ts';
import { bindAccessLog } from './access/require-access.ts';
import { IdentityStore } from './auth/identity.store.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { healthRoutes } from './health/health.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { oidcPluginFromConfig } from './auth/oidc.routes.ts';
import { usersRoutes } from './users/users.routes.ts';
import { tokensRoutes } from './tokens/tokens.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { recordingsRoutes } from './recordings/recordings.routes.ts';
import { meRoutes } from './me/me.routes.ts';
import { consolePlugin } from './console/console.routes.ts';
import { evaluationsRoutes } from './evaluations/evaluations.routes.ts';
import { analyticsRoutes } from './analytics/analytics.routes.ts';
import websocket from '@fastify/websocket';
import { callsRoutes } from './calls/calls.routes.ts';
import { controlRoutes } from './calls/control.routes.ts';
import { policiesRoutes } from './policies/policies.routes.ts';
import { webhooksRoutes } from './webhooks/webhooks.routes.ts';
import { staffRoutes } from './staff/staff.routes.ts';
import { integrationsRoutes } from './integrations/integrations.routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with its access declaration (for the route-enumeration test). */
    readonly ecouteRoutes: readonly RouteRecord[];
  }
}

/**
 * Builds the API without listening (STYLE.md §9): tests call `inject()` or `listen({ port: 0 })`.
 * Fastify's request logging is off: URLs and headers can carry personal data; the access log records
 * what matters, and errors are logged with constant messages.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log,
    // No per-request log lines: URLs and headers can carry personal data (STYLE.md §11).
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
  }) as unknown as FastifyInstance;
  const routes: RouteRecord[] = [];
  app.decorate('ecouteRoutes', routes);
  const identity = new IdentityStore(deps.db, deps.clock);
  bindAccessLog(() => deps.accessLog);
  app.addSchema(problemSchema);
  installProblemHandler(app);
  installRouteGuard(app, routes);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ecoute API',
        version: '0.1.0',
        description: 'Call recording and listening, lawful by construction. See docs/api.md.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'ecoute_session' },
          token: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  installAuthentication(app, identity);
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () => app.swagger());
  await app.register(healthRoutes(deps));
  await app.register(authRoutes({ api: deps, identity, throttle: new LoginThrottle(deps.clock) }));
  // Enterprise SSO (issue 6), only when an issuer is configured.
  const oidc = oidcPluginFromConfig(deps, identity);
  if (oidc) await app.register(oidc);
  await app.register(usersRoutes(identity));
  await app.register(tokensRoutes(identity));
  await app.register(auditRoutes(deps.accessLog));
  await app.register(recordingsRoutes(deps));
  await app.register(meRoutes(deps));
  // Live listening is a WebSocket route; the ingest endpoints reuse the plugin when they are registered here.
  if (!app.hasDecorator('websocketServer')) await app.register(websocket);
  await app.register(callsRoutes(deps));
  await app.register(controlRoutes(deps));
  await app.register(policiesRoutes(deps));
  await app.register(webhooksRoutes(deps));
  await app.register(evaluationsRoutes(deps));
  await app.register(analyticsRoutes(deps));
  await app.register(staffRoutes(deps));
  await app.register(integrationsRoutes(deps));
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  // The console (web/dist) under `/`, after every /api route so its SPA fallback never shadows one.
  if (deps.console !== false) await app.register(consolePlugin);
  await app.ready();
  return app;
}
