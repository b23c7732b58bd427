import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forEachDialect } from '../../db/testing.ts';
import { startIdp, type Idp } from '../../../test/support/oidc-idp.ts';
import { loadConfig } from '../../config/config.ts';
import { silentLogger } from '../../log.ts';
import { AccessLog } from '../../audit/access-log.ts';
import { buildApp } from '../app.ts';
import type { AudioSource } from '../recordings/audio.ts';
import { IdentityStore } from './identity.store.ts';
import { base32Decode, totp } from './totp.ts';

/**
 * Enterprise SSO against a REAL OpenID provider (oidc-provider) on loopback. Its login step is a custom
 * interaction that signs in the account the test chose (with the `amr` the test chose); consent is
 * pre-granted, as an enterprise IdP does for a first-party client. Everything else is the real protocol:
 * discovery, authorization code + PKCE + state + nonce, ID token signature and claims, UserInfo.
 * The `amr` of the signed ID token is what the test's login step says (oidc-provider puts the login's
 * `amr` there); `u-claims` also carries an `amr` claim served by UserInfo, which must never count.
 */
const REDIRECT = 'https://ecoute.example/api/auth/oidc/callback';
type Account = { preferred_username: string; name: string; groups: string[]; amr?: string[] };
const ACCOUNTS: Record<string, Account> = {
  'u-audit': { preferred_username: 'alice', name: 'Alice Audit', groups: ['cc-auditors'] },
  'u-sup': { preferred_username: 'sam', name: 'Sam Sup', groups: ['cc-supervisors', 'team-a', 'other'] },
  'u-mfa': { preferred_username: 'mia', name: 'Mia Mfa', groups: ['cc-supervisors', 'team-a'] },
  'u-claims': { preferred_username: 'cid', name: 'Cid', groups: ['cc-supervisors', 'team-a'], amr: ['mfa'] },
  'u-none': { preferred_username: 'admin', name: 'Nobody', groups: ['marketing'] },
};

// FAKE audio source: stands in for the vault reader (same shape), as in app.int.test.ts; what is proven
// here is who is let through to it.
const pcm = Buffer.alloc(1600, 0xff);
const fakeAudio: AudioSource = {
  open: () => Promise.resolve({ size: pcm.length, read: (s, e) => Promise.resolve(pcm.subarray(s, e)) }),
};

/** UserInfo bodies the provider served, to show that a UserInfo `amr` did reach Ecoute and was ignored. */
const userinfoBodies: string[] = [];
const MAPPING = {
  'cc-auditors': { role: 'auditor' },
  'cc-supervisors': { role: 'supervisor' },
  'team-a': { team: 'teamA' },
};

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
  let idp: Idp;
  let app: Awaited<ReturnType<typeof buildApp>>;
  /** The same deployment with `oidc.mfaAmr: []`: the IdP is never trusted for the second factor. */
  let strict: Awaited<ReturnType<typeof buildApp>>;
  let log: AccessLog;
  /** This deployment (`more` overrides its configuration), on the suite's store and access log. */
  const deployment = (more: Record<string, unknown> = {}) =>
    buildApp({
      config: loadConfig({
        env: {},
        overrides: {
          'oidc.issuer': idp.issuer,
          'oidc.clientId': 'ecoute',
          'oidc.clientSecret': 'ecoute-test-secret-0123456789abcdef',
          'oidc.redirectUrl': REDIRECT,
          'oidc.claimMapping': JSON.stringify(MAPPING),
          ...more,
        },
      }),
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog: log,
      audio: fakeAudio,
      console: false,
    });

  before(async () => {
    idp = await startIdp({
      accounts: ACCOUNTS,
      clientSecret: 'ecoute-test-secret-0123456789abcdef',
      onUserinfo: (body) => userinfoBodies.push(body),
    });
    idp.register(REDIRECT);
    log = new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    app = await deployment();
    strict = await deployment({ 'oidc.mfaAmr': [] });
    // One sealed recording of team A for quality: what a supervisor of team A may hear (R-MIN-3).
    await h.db.calls.insert({
      id: 'call-1',
      startedAt: h.clock.now(),
      direction: 'inbound',
      queue: 'q1',
      agentId: undefined,
      team: 'teamA',
      protocol: 'siprec',
      protocolIds: {},
      customerNumberEnc: undefined,
      customerHash: undefined,
      noticeVersion: undefined,
      noticeEndedAt: undefined,
    });
    await h.db.recordings.insert({
      id: 'rec-1',
      callId: 'call-1',
      policyId: 'p1',
      policyVersion: 1,
      purposes: ['quality'],
      startedAt: h.clock.now(),
      team: 'teamA',
      direction: 'inbound',
      state: 'sealed',
    });
  });
  after(async () => {
    await app.close();
    await strict.close();
    await idp.close();
  });

  /** login → IdP → callback; returns the callback's answer and the flow cookie used. */
  async function sso(account: string, amr: string[] | undefined, on = app, accept?: string) {
    idp.next = { account, amr };
    const start = await on.inject({ method: 'GET', url: '/api/auth/oidc/login' });
    assert.equal(start.statusCode, 302);
    const flow = cookieOf(start.headers['set-cookie'], 'ecoute_oidc');
    assert.ok(flow, 'the login sets the state/nonce/PKCE cookie');
    const query = await throughIdp(String(start.headers.location));
    const cb = await on.inject({
      method: 'GET',
      url: `/api/auth/oidc/callback?${query}`,
      headers: { cookie: `ecoute_oidc=${flow}`, ...(accept && { accept }) },
    });
    const session = cookieOf(cb.headers['set-cookie'], 'ecoute_session') ?? '';
    const csrf = cookieOf(cb.headers['set-cookie'], 'ecoute_csrf') ?? '';
    return { cb, query, flow, session, csrf };
  }

  /** Plays the team-A recording for quality with this session (an audio action, R-SEC-1). */
  const play = (session: string, on = app) =>
    on.inject({
      method: 'GET',
      url: '/api/recordings/rec-1/audio?purpose=quality',
      headers: { cookie: `ecoute_session=${session}` },
    });

  /** The detail of the newest `login` access-log entry of `actor`. */
  async function lastLogin(actor: string): Promise<{ result: string; detail: Record<string, unknown> }> {
    const entries = (await log.list({ action: 'login', limit: 1000 })).filter((e) => e.actor === actor);
    const e = entries.at(-1);
    assert.ok(e, `a login entry for ${actor}`);
    return { result: e.result, detail: JSON.parse(e.detail) as Record<string, unknown> };
  }

  type Me = {
    id: string;
    roles: string[];
    secondFactor: string | null;
    totpRequired: boolean;
    totpVerifyRequired: boolean;
  };

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

  const post = (session: string, csrf: string, url: string, payload?: object, on = app) =>
    on.inject({
      method: 'POST',
      url,
      headers: { cookie: `ecoute_session=${session}`, 'x-csrf-token': csrf },
      ...(payload && { payload }),
    });

  /** A six-digit code that is none of the codes accepted now (±1 step). */
  function wrongCode(secret: string): string {
    const now = h.clock.now();
    const window = [-30_000, 0, 30_000].map((d) => totp(base32Decode(secret), now + d));
    return ['000000', '111111', '222222'].find((c) => !window.includes(c)) as string;
  }

  /** R-SEC-1's refusal: the problem names the rule. */
  const refusedForTotp = (r: { statusCode: number; json: <T>() => T }, why: string) => {
    assert.equal(r.statusCode, 403, why);
    const p = r.json<{ code: string; rule: string }>();
    assert.equal(p.code, 'ECOUTE_API_TOTP_REQUIRED', why);
    assert.equal(p.rule, 'R-SEC-1', why);
  };

  it('R-SEC-1: amr [pwd] → a supervisor must enrol Ecoute TOTP before hearing audio, and give it again at the next SSO login', async () => {
    const first = await sso('u-sup', ['pwd']);
    assert.equal(first.cb.statusCode, 302, first.cb.body);
    const u = (await me(first.session)).json<Me & { teams: string[] }>();
    assert.deepEqual(u.roles, ['supervisor']);
    assert.deepEqual(u.teams, ['teamA']);
    assert.equal(u.secondFactor, null);
    assert.equal(u.totpRequired, true);
    assert.equal(u.totpVerifyRequired, false);
    refusedForTotp(await play(first.session), 'no second factor yet');
    assert.deepEqual((await lastLogin(u.id)).detail, { method: 'oidc', secondFactor: 'none' });

    const enrol = await post(first.session, first.csrf, '/api/auth/totp/enrol');
    assert.equal(enrol.statusCode, 200, enrol.body);
    const secret = enrol.json<{ secret: string }>().secret;
    const code = totp(base32Decode(secret), h.clock.now());
    const confirm = await post(first.session, first.csrf, '/api/auth/totp/confirm', { code });
    assert.equal(confirm.statusCode, 200, confirm.body);
    assert.equal(confirm.json<Me>().secondFactor, 'totp');
    assert.equal((await play(first.session)).statusCode, 200, 'this session gave the code');

    // The next SSO login, still without MFA at the IdP: the enrolled TOTP is not taken as given.
    h.clock.advance(30_000);
    const second = await sso('u-sup', ['pwd']);
    const again = (await me(second.session)).json<Me>();
    assert.equal(again.secondFactor, null);
    assert.equal(again.totpRequired, false);
    assert.equal(again.totpVerifyRequired, true);
    refusedForTotp(await play(second.session), 'enrolled, but this session gave no code');

    const bad = await post(second.session, second.csrf, '/api/auth/totp/verify', { code: wrongCode(secret) });
    assert.equal(bad.statusCode, 401, bad.body);
    assert.equal(bad.json<{ code: string }>().code, 'ECOUTE_API_TOTP_INVALID');
    assert.deepEqual(await lastLogin(u.id), {
      result: 'denied',
      detail: { method: 'totp_verify', code: 'ECOUTE_API_TOTP_INVALID' },
    });
    refusedForTotp(await play(second.session), 'a wrong code gives nothing');

    const good = totp(base32Decode(secret), h.clock.now());
    const verify = await post(second.session, second.csrf, '/api/auth/totp/verify', { code: good });
    assert.equal(verify.statusCode, 200, verify.body);
    assert.equal(verify.json<Me>().secondFactor, 'totp');
    assert.equal((await play(second.session)).statusCode, 200);
    assert.deepEqual(await lastLogin(u.id), {
      result: 'allowed',
      detail: { method: 'totp_verify', secondFactor: 'totp' },
    });
    // The same code again (another session, another node) is refused: spent in the store.
    const third = await sso('u-sup', ['pwd']);
    const replay = await post(third.session, third.csrf, '/api/auth/totp/verify', { code: good });
    assert.equal(replay.json<{ code: string }>().code, 'ECOUTE_API_TOTP_INVALID');
  });

  it('R-SEC-1: amr [pwd, mfa] (or hwk+pin) → audio without Ecoute TOTP; the login entry names the factor and the rule', async () => {
    const { cb, session } = await sso('u-mfa', ['pwd', 'mfa']);
    assert.equal(cb.statusCode, 302, cb.body);
    const u = (await me(session)).json<Me>();
    assert.deepEqual(u.roles, ['supervisor']);
    assert.equal(u.secondFactor, 'idp');
    assert.equal(u.totpRequired, false, 'no enrolment asked of an SSO user whose IdP did MFA');
    assert.equal(u.totpVerifyRequired, false);
    const r = await play(session);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.rawPayload.subarray(0, 4).toString(), 'RIFF');
    // Only the method, the factor and the configured rule it met: no claim value, no name (R-SEC-2).
    assert.deepEqual(await lastLogin(u.id), {
      result: 'allowed',
      detail: { method: 'oidc', secondFactor: 'idp', mfaAmr: 'mfa' },
    });

    const key = await sso('u-mfa', ['hwk', 'pin']);
    assert.equal((await play(key.session)).statusCode, 200);
    assert.equal((await lastLogin(u.id)).detail.mfaAmr, 'hwk+pin');

    // One factor only (a hardware key without PIN) is not a second factor under the default rules.
    const lone = await sso('u-mfa', ['hwk']);
    refusedForTotp(await play(lone.session), 'a lone hwk');
    assert.deepEqual((await lastLogin(u.id)).detail, { method: 'oidc', secondFactor: 'none' });
  });

  it('R-SEC-1: with oidc.mfaAmr empty the IdP is never trusted: amr [pwd, mfa] still needs Ecoute TOTP', async () => {
    const { cb, session } = await sso('u-mfa', ['pwd', 'mfa'], strict);
    assert.equal(cb.statusCode, 302, cb.body);
    const u = (
      await strict.inject({ url: '/api/auth/me', headers: { cookie: `ecoute_session=${session}` } })
    ).json<Me>();
    assert.equal(u.secondFactor, null);
    assert.equal(u.totpRequired, true);
    refusedForTotp(await play(session, strict), 'mfa asserted, but the list is empty');
    assert.deepEqual((await lastLogin(u.id)).detail, { method: 'oidc', secondFactor: 'none' });
  });

  it('R-SEC-1: an amr served by UserInfo does not count: only the signed ID token says how the user logged in', async () => {
    userinfoBodies.length = 0;
    // No amr in the ID token at all: nothing for a "fall back to UserInfo" reading to fill in either.
    const { cb, session } = await sso('u-claims', undefined);
    assert.equal(cb.statusCode, 302, cb.body);
    // The provider did hand Ecoute an `amr: ["mfa"]`, through UserInfo…
    assert.ok(
      userinfoBodies.some((b) => (JSON.parse(b) as { amr?: string[] }).amr?.includes('mfa')),
      'UserInfo carried amr',
    );
    // …and Ecoute ignored it.
    assert.equal((await me(session)).json<Me>().secondFactor, null);
    refusedForTotp(await play(session), 'amr from UserInfo');
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

  /** What Chromium sends when it follows the IdP's redirect to the callback. */
  const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

  /** The `login` entries of the access log, as they are kept (no id, no time: those differ per attempt). */
  const loginEntries = async () =>
    (await log.list({ action: 'login', limit: 1000 })).map((e) => ({
      actor: e.actor,
      role: e.role,
      result: e.result,
      objectType: e.objectType,
      detail: JSON.parse(e.detail) as unknown,
    }));

  it('a browser refused for no mapped group lands on the console login page with the code only; the log entry is the same', async () => {
    const before = (await loginEntries()).length;
    const { cb } = await sso('u-none', ['mfa'], app, BROWSER);
    assert.equal(cb.statusCode, 302, cb.body);
    // The code, nothing the IdP said: no sub, no name, no preferred_username ("admin"), no token.
    assert.equal(cb.headers.location, '/login?error=ECOUTE_API_OIDC_NO_ROLE');
    assert.equal(cookieOf(cb.headers['set-cookie'], 'ecoute_session'), undefined, 'no session');
    assert.match(String(cb.headers['set-cookie']), /ecoute_oidc=;/, 'the attempt is spent');
    // An API client refused the same way gets the problem document, and both attempts log alike.
    const api = await sso('u-none', ['mfa'], app, 'application/json');
    assert.equal(api.cb.statusCode, 403);
    assert.equal(api.cb.json<{ code: string }>().code, 'ECOUTE_API_OIDC_NO_ROLE');
    const [browser, client, ...more] = (await loginEntries()).slice(before);
    assert.equal(more.length, 0, 'one entry per refusal');
    assert.deepEqual(browser, client);
    assert.deepEqual(browser, {
      actor: 'oidc:u-none',
      role: 'none',
      result: 'denied',
      objectType: 'session',
      detail: { method: 'oidc', code: 'ECOUTE_API_OIDC_NO_ROLE' },
    });
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

  it('a browser whose callback state does not match, or has no flow cookie, lands on the login page with ECOUTE_API_OIDC_FAILED', async () => {
    const { query, flow } = await ssoWithoutCallback();
    const entries = (await loginEntries()).length;
    const tampered = query.replace(/state=[^&]+/, 'state=forged');
    const bad = await app.inject({
      method: 'GET',
      url: `/api/auth/oidc/callback?${tampered}`,
      headers: { cookie: `ecoute_oidc=${flow}`, accept: BROWSER },
    });
    assert.equal(bad.statusCode, 302, bad.body);
    assert.equal(bad.headers.location, '/login?error=ECOUTE_API_OIDC_FAILED');
    const none = await app.inject({
      method: 'GET',
      url: `/api/auth/oidc/callback?${query}`,
      headers: { accept: BROWSER },
    });
    assert.equal(none.headers.location, '/login?error=ECOUTE_API_OIDC_FAILED');
    assert.equal(cookieOf(none.headers['set-cookie'], 'ecoute_session'), undefined);
    const logged = (await loginEntries()).slice(entries);
    assert.deepEqual(
      logged.map((e) => [e.actor, e.result, e.detail]),
      [
        ['unknown', 'denied', { method: 'oidc', code: 'ECOUTE_API_OIDC_FAILED' }],
        ['unknown', 'denied', { method: 'oidc', code: 'ECOUTE_API_OIDC_FAILED' }],
      ],
    );
  });

  it('an IdP that cannot be reached: API clients get ECOUTE_API_OIDC_UNAVAILABLE (503), a browser lands on the login page with that code', async () => {
    // A port that was listening and is closed: discovery fails with a refused connection.
    const gone = createServer();
    await new Promise<void>((ok) => gone.listen(0, '127.0.0.1', ok));
    const issuer = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
    await new Promise<void>((ok) => gone.close(() => ok()));
    const down = await deployment({ 'oidc.issuer': issuer });
    try {
      const api = await down.inject({ method: 'GET', url: '/api/auth/oidc/login' });
      assert.equal(api.statusCode, 503, api.body);
      assert.equal(api.json<{ code: string }>().code, 'ECOUTE_API_OIDC_UNAVAILABLE');
      assert.equal(cookieOf(api.headers['set-cookie'], 'ecoute_oidc'), undefined, 'no flow cookie');
      const browser = await down.inject({
        method: 'GET',
        url: '/api/auth/oidc/login',
        headers: { accept: BROWSER },
      });
      assert.equal(browser.statusCode, 302);
      assert.equal(browser.headers.location, '/login?error=ECOUTE_API_OIDC_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });

  async function ssoWithoutCallback() {
    idp.next = { account: 'u-audit', amr: ['pwd'] };
    const start = await app.inject({ method: 'GET', url: '/api/auth/oidc/login' });
    const flow = cookieOf(start.headers['set-cookie'], 'ecoute_oidc') ?? '';
    return { query: await throughIdp(String(start.headers.location)), flow };
  }
});
