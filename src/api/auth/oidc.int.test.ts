import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { forEachDialect } from '../../db/testing.ts';
import { loadConfig } from '../../config/config.ts';
import { silentLogger } from '../../log.ts';
import { AccessLog } from '../../audit/access-log.ts';
import { buildApp } from '../app.ts';
import { IdentityStore } from './identity.store.ts';

/**
 * Enterprise SSO against a REAL OpenID provider (oidc-provider) on loopback. Its login step is a custom
 * interaction that signs in the account the test chose (with the `amr` the test chose); consent is
 * pre-granted, as an enterprise IdP does for a first-party client. Everything else is the real protocol:
 * discovery, authorization code + PKCE + state + nonce, ID token signature and claims, UserInfo.
 */
const REDIRECT = 'https://ecoute.example/api/auth/oidc/callback';
const ACCOUNTS: Record<string, { preferred_username: string; name: string; groups: string[] }> = {
  'u-audit': { preferred_username: 'alice', name: 'Alice Audit', groups: ['cc-auditors'] },
  'u-sup': { preferred_username: 'sam', name: 'Sam Sup', groups: ['cc-supervisors', 'team-a', 'other'] },
  'u-none': { preferred_username: 'admin', name: 'Nobody', groups: ['marketing'] },
};
const MAPPING = {
  'cc-auditors': { role: 'auditor' },
  'cc-supervisors': { role: 'supervisor' },
  'team-a': { team: 'teamA' },
};

/** Who the provider's login step signs in next, and how (amr). */
const next: { account: string; amr: string[] } = { account: 'u-audit', amr: ['pwd'] };

async function startProvider(): Promise<{ issuer: string; close: () => Promise<void> }> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'ecoute',
        client_secret: 'ecoute-test-secret-0123456789abcdef',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'groups'],
    findAccount: (_ctx: unknown, id: string) => {
      const a = ACCOUNTS[id];
      return a ? { accountId: id, claims: () => ({ sub: id, ...a }) } : undefined;
    },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    // Consent pre-granted for the first-party client (no consent page to drive).
    loadExistingGrant: async (ctx: {
      oidc: { client: { clientId: string }; session: { accountId: string } };
    }) => {
      const grant = new provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile groups');
      await grant.save();
      return grant;
    },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  });
  const oidcHandler = provider.callback();
  handler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return oidcHandler(req, res);
    void provider
      .interactionFinished(req, res, { login: { accountId: next.account, amr: next.amr } })
      .catch(() => res.writeHead(500).end());
  };
  return { issuer, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Follows the browser's redirects by hand through the IdP until it lands on our redirect URL. */
async function throughIdp(start: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(REDIRECT)) return new URL(url).search.slice(1);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`IdP stopped at ${res.status}: ${await res.text()}`);
    url = new URL(loc, url).href;
  }
  throw new Error('too many redirects');
}

const cookieOf = (setCookie: string | string[] | undefined, name: string): string | undefined =>
  (Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie])
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${name}=`) && c.length > name.length + 1)
    ?.slice(name.length + 1);

forEachDialect('OIDC SSO', (h) => {
  let idp: Awaited<ReturnType<typeof startProvider>>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let log: AccessLog;

  before(async () => {
    idp = await startProvider();
    log = new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    const config = loadConfig({
      env: {},
      overrides: {
        'oidc.issuer': idp.issuer,
        'oidc.clientId': 'ecoute',
        'oidc.clientSecret': 'ecoute-test-secret-0123456789abcdef',
        'oidc.redirectUrl': REDIRECT,
        'oidc.claimMapping': JSON.stringify(MAPPING),
      },
    });
    app = await buildApp({
      config,
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog: log,
      console: false,
    });
  });
  after(async () => {
    await app.close();
    await idp.close();
  });

  /** login → IdP → callback; returns the callback's answer and the flow cookie used. */
  async function sso(account: string, amr: string[]) {
    next.account = account;
    next.amr = amr;
    const start = await app.inject({ method: 'GET', url: '/api/auth/oidc/login' });
    assert.equal(start.statusCode, 302);
    const flow = cookieOf(start.headers['set-cookie'], 'ecoute_oidc');
    assert.ok(flow, 'the login sets the state/nonce/PKCE cookie');
    const query = await throughIdp(String(start.headers.location));
    const cb = await app.inject({
      method: 'GET',
      url: `/api/auth/oidc/callback?${query}`,
      headers: { cookie: `ecoute_oidc=${flow}` },
    });
    return { cb, query, flow };
  }

  const me = (session: string) =>
    app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `ecoute_session=${session}` } });

  it('SSO login: the IdP groups map to roles and teams, a session opens, the login is in the access log (R-SEC-2)', async () => {
    const { cb } = await sso('u-audit', ['pwd']);
    assert.equal(cb.statusCode, 302, cb.body);
    assert.equal(cb.headers.location, '/');
    const session = cookieOf(cb.headers['set-cookie'], 'ecoute_session');
    assert.ok(session);
    assert.ok(cookieOf(cb.headers['set-cookie'], 'ecoute_csrf'));
    const r = await me(session);
    assert.equal(r.statusCode, 200, r.body);
    const u = r.json<{ login: string; displayName: string; roles: string[]; totpRequired: boolean }>();
    assert.equal(u.login, 'oidc:u-audit');
    assert.equal(u.displayName, 'Alice Audit');
    assert.deepEqual(u.roles, ['auditor']);
    assert.equal(u.totpRequired, false);
    const entries = await log.list({ action: 'login', limit: 50 });
    assert.ok(entries.some((e) => e.result === 'allowed' && JSON.parse(e.detail).method === 'oidc'));
  });

  it('R-SEC-1: a supervisor without an MFA amr from the IdP gets a session limited to TOTP enrolment', async () => {
    const { cb } = await sso('u-sup', ['pwd']);
    assert.equal(cb.statusCode, 302, cb.body);
    const session = cookieOf(cb.headers['set-cookie'], 'ecoute_session') ?? '';
    const csrf = cookieOf(cb.headers['set-cookie'], 'ecoute_csrf') ?? '';
    const u = (await me(session)).json<{ roles: string[]; teams: string[]; totpRequired: boolean }>();
    assert.deepEqual(u.roles, ['supervisor']);
    assert.deepEqual(u.teams, ['teamA']);
    assert.equal(u.totpRequired, true);
    const search = await app.inject({
      method: 'GET',
      url: '/api/recordings',
      headers: { cookie: `ecoute_session=${session}` },
    });
    assert.equal(search.statusCode, 403);
    assert.equal(search.json<{ code: string }>().code, 'ECOUTE_API_TOTP_REQUIRED');
    const enrol = await app.inject({
      method: 'POST',
      url: '/api/auth/totp/enrol',
      headers: { cookie: `ecoute_session=${session}`, 'x-csrf-token': csrf },
    });
    assert.equal(enrol.statusCode, 200, enrol.body);
  });

  it('a user with no mapped group is refused with ECOUTE_API_OIDC_NO_ROLE and no session', async () => {
    const { cb } = await sso('u-none', ['mfa']);
    assert.equal(cb.statusCode, 403);
    assert.equal(cb.json<{ code: string }>().code, 'ECOUTE_API_OIDC_NO_ROLE');
    assert.equal(cookieOf(cb.headers['set-cookie'], 'ecoute_session'), undefined);
    // preferred_username "admin" never becomes a local login: no account was created under it.
    assert.equal(await new IdentityStore(h.db.kysely, h.clock).byLogin('admin'), undefined);
    const entries = await log.list({ action: 'login', limit: 50 });
    assert.ok(
      entries.some((e) => e.result === 'denied' && JSON.parse(e.detail).code === 'ECOUTE_API_OIDC_NO_ROLE'),
    );
  });

  it('removed from its mapped groups at the IdP, a known user loses its roles and its open sessions', async () => {
    const first = await sso('u-audit', ['pwd']);
    const session = cookieOf(first.cb.headers['set-cookie'], 'ecoute_session') ?? '';
    assert.equal((await me(session)).statusCode, 200);
    const a = ACCOUNTS['u-audit'];
    assert.ok(a);
    a.groups = ['marketing'];
    try {
      const second = await sso('u-audit', ['pwd']);
      assert.equal(second.cb.statusCode, 403);
      assert.equal((await me(session)).statusCode, 401);
    } finally {
      a.groups = ['cc-auditors'];
    }
  });

  it('a callback whose state does not match the flow cookie, or without the cookie, is refused', async () => {
    const { query, flow } = await ssoWithoutCallback();
    const tampered = query.replace(/state=[^&]+/, 'state=forged');
    const bad = await app.inject({
      method: 'GET',
      url: `/api/auth/oidc/callback?${tampered}`,
      headers: { cookie: `ecoute_oidc=${flow}` },
    });
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json<{ code: string }>().code, 'ECOUTE_API_OIDC_FAILED');
    const none = await app.inject({ method: 'GET', url: `/api/auth/oidc/callback?${query}` });
    assert.equal(none.statusCode, 401);
    assert.equal(cookieOf(none.headers['set-cookie'], 'ecoute_session'), undefined);
  });

  async function ssoWithoutCallback() {
    next.account = 'u-audit';
    next.amr = ['pwd'];
    const start = await app.inject({ method: 'GET', url: '/api/auth/oidc/login' });
    const flow = cookieOf(start.headers['set-cookie'], 'ecoute_oidc') ?? '';
    return { query: await throughIdp(String(start.headers.location)), flow };
  }
});
