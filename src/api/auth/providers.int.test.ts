import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { forEachDialect } from '../../db/testing.ts';
import { loadConfig } from '../../config/config.ts';
import { silentLogger } from '../../log.ts';
import { AccessLog } from '../../audit/access-log.ts';
import { buildApp } from '../app.ts';

/**
 * `GET /api/auth/providers`: what the console's login page reads to offer the SSO button. It is public
 * (no session exists yet), announces SSO exactly when the SSO routes are registered, and the URL it
 * gives is the route that starts an SSO login. No IdP is contacted here: discovery runs at the first
 * login (src/api/auth/oidc.int.test.ts drives a real one, test/e2e/console/sso.test.ts the browser).
 */
forEachDialect('auth providers', (h) => {
  type App = Awaited<ReturnType<typeof buildApp>>;
  let plain: App;
  let sso: App;
  let accessLog: AccessLog;

  before(async () => {
    accessLog = new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    const deps = {
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog,
      console: false,
    } as const;
    plain = await buildApp({ config: loadConfig({ env: {} }), ...deps });
    sso = await buildApp({
      config: loadConfig({
        env: {},
        overrides: {
          'oidc.issuer': 'https://idp.example/realms/cc',
          'oidc.clientId': 'ecoute',
          'oidc.redirectUrl': 'https://ecoute.example/api/auth/oidc/callback',
        },
      }),
      ...deps,
    });
  });
  after(async () => {
    await plain?.close();
    await sso?.close();
  });

  it('without oidc.issuer: password only, and the SSO login route does not exist', async () => {
    const r = await plain.inject({ url: '/api/auth/providers' });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), { password: true });
    const start = await plain.inject({ url: '/api/auth/oidc/login' });
    assert.equal(start.statusCode, 404);
    assert.equal(start.json<{ code: string }>().code, 'ECOUTE_API_NO_ROUTE');
  });

  it('with oidc.issuer: SSO announced with the route that starts it, public like the login itself', async () => {
    const r = await sso.inject({ url: '/api/auth/providers' });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json<{ password: boolean; oidc?: { loginUrl: string } }>();
    assert.deepEqual(body, { password: true, oidc: { loginUrl: '/api/auth/oidc/login' } });
    const route = sso.ecouteRoutes.find((x) => x.method === 'GET' && x.url === body.oidc?.loginUrl);
    assert.ok(route, 'the announced URL is a registered route');
    assert.equal(route.access, 'public');
    // Neither answer depends on a session, nor writes to the access log (it says nothing about a user).
    assert.deepEqual(await accessLog.list({ limit: 100 }), []);
  });
});
