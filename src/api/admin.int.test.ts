import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { forEachDialect } from '../db/testing.ts';
import type { Database } from '../db/schema.ts';
import { loadConfig } from '../config/config.ts';
import { silentLogger } from '../log.ts';
import { AccessLog } from '../audit/access-log.ts';
import { TWILIO_PATH } from '../capture/twilio/twilio.routes.ts';
import { AUDIOHOOK_PATH } from '../capture/audiohook/audiohook.routes.ts';
import { FORK_PATH } from '../capture/fork/fork.routes.ts';
import { buildApp } from './app.ts';
import { IdentityStore } from './auth/identity.store.ts';
import { hashPassword } from './auth/password.ts';
import { base32Decode, totp } from './auth/totp.ts';
import type { Role } from './access/roles.ts';
import { INGEST_PATHS } from './integrations/integrations.routes.ts';

const SECRET = 'JBSWY3DPEHPK3PXP';

forEachDialect('API administration', (h) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let log: AccessLog;
  let identity: IdentityStore;
  const who = new Map<string, { cookie: string; csrf: string; id: string }>();

  const build = (k: Kysely<Database>) =>
    buildApp({
      config: loadConfig({
        env: {},
        overrides: {
          'twilio.authToken': 'tw-secret-value',
          'sip.transports': ['udp', 'tls'],
          'sip.tlsCert': 'cert.pem',
          'sip.tlsKey': 'key.pem',
        },
      }),
      db: k,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog: log,
      console: false,
    });

  async function session(login: string, roles: Role[], teams: string[] = []) {
    const u = await identity.create({
      login,
      displayName: `Name ${login}`,
      passwordHash: await hashPassword(`pw-${login}`, { N: 1024 }),
      roles,
      teams,
    });
    const totpOn = roles.some((r) => r !== 'admin' && r !== 'auditor');
    if (totpOn) await identity.setTotp(u.id, SECRET, true);
    const s = await identity.openSession(u.id, totpOn ? 'totp' : undefined);
    who.set(login, { cookie: `ecoute_session=${s.sessionId}`, csrf: s.csrf, id: u.id });
    return u;
  }
  const call = (
    login: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => {
    const s = who.get(login)!;
    return app.inject({ method, url, payload, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
  };
  const lastEntry = async () => (await log.list({ limit: 10_000 })).at(-1)!;

  it('builds the app over the real store', async () => {
    log = new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    app = await build(h.db.kysely);
    identity = new IdentityStore(h.db.kysely, h.clock);
    await h.db.agents.upsertTeam('north', 'Nord');
    await h.db.agents.upsertTeam('south', 'Sud');
    await h.db.agents.upsert({ id: 'a1', displayName: 'Agent', teamId: 'north' });
    await session('admin', ['admin']);
    await session('dpo', ['dpo']);
    await session('sup', ['supervisor'], ['north']);
    await session('auditor', ['auditor']);
  });

  it('R-SEC-1: PATCH /api/users/:id changes roles, teams and name, closes sessions, is logged', async () => {
    const u = await session('eva', ['evaluator'], ['north']);
    const evaCookie = who.get('eva')!.cookie;
    const me = await app.inject({ url: '/api/auth/me', headers: { cookie: evaCookie } });
    assert.equal(me.json().displayName, 'Name eva');
    const res = await call('admin', 'PATCH', `/api/users/${u.id}`, {
      roles: ['supervisor'],
      teams: ['north', 'south'],
      displayName: 'Éva Martin',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      [res.json().roles, res.json().teams, res.json().displayName],
      [['supervisor'], ['north', 'south'], 'Éva Martin'],
    );
    const e = await lastEntry();
    assert.deepEqual([e.action, e.result, e.objectId], ['user_admin', 'allowed', u.id]);
    const after = await app.inject({ url: '/api/auth/me', headers: { cookie: evaCookie } });
    assert.equal(after.statusCode, 401, 'a role change closes the open sessions');
    const denied = await call('sup', 'PATCH', `/api/users/${u.id}`, { disabled: true });
    assert.equal(denied.statusCode, 403);
    assert.deepEqual([(await lastEntry()).action, (await lastEntry()).result], ['user_admin', 'denied']);
    const empty = await call('admin', 'PATCH', `/api/users/${u.id}`, {});
    assert.equal(empty.statusCode, 400);
    const unknown = await call('admin', 'PATCH', '/api/users/nobody', { displayName: 'x' });
    assert.equal(unknown.json().code, 'ECOUTE_API_NOT_FOUND');
  });

  it('PATCH disable closes sessions; the last enabled admin cannot be disabled or demoted', async () => {
    const u = await session('leaver', ['auditor']);
    const cookie = who.get('leaver')!.cookie;
    assert.equal((await call('admin', 'PATCH', `/api/users/${u.id}`, { disabled: true })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode, 401);
    const self = who.get('admin')!.id;
    const demote = await call('admin', 'PATCH', `/api/users/${self}`, { roles: ['auditor'] });
    assert.equal(demote.statusCode, 409);
    assert.equal(demote.json().code, 'ECOUTE_API_LAST_ADMIN');
    assert.equal((await call('admin', 'DELETE', `/api/users/${self}`)).json().code, 'ECOUTE_API_LAST_ADMIN');
  });

  it('an unknown /api route answers ECOUTE_API_NO_ROUTE as problem details', async () => {
    const res = await call('admin', 'GET', '/api/no-such-thing');
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.deepEqual([res.json().code, res.json().detail], ['ECOUTE_API_NO_ROUTE', 'no such route']);
    const resource = await call('admin', 'PATCH', '/api/users/missing', { displayName: 'x' });
    assert.equal(resource.json().code, 'ECOUTE_API_NOT_FOUND', 'a missing resource keeps its own code');
  });

  it('R-MIN-3: GET /api/teams: all for admin and dpo, their own for a supervisor, refused for an auditor', async () => {
    const ids = async (login: string) =>
      (await call(login, 'GET', '/api/teams')).json<{ id: string; agents: number }[]>();
    assert.deepEqual(
      (await ids('admin')).map((t) => t.id),
      ['north', 'south'],
    );
    assert.deepEqual(
      (await ids('dpo')).map((t) => t.id),
      ['north', 'south'],
    );
    assert.deepEqual(await ids('sup'), [{ id: 'north', name: 'Nord', agents: 1 }]);
    assert.equal((await call('auditor', 'GET', '/api/teams')).statusCode, 403);
    assert.deepEqual([(await lastEntry()).action, (await lastEntry()).result], ['team_read', 'denied']);
  });

  it('R-EMP-1: the DPO records the CSE consultation or the no-CSE declaration, logged as policy_change', async () => {
    assert.equal((await call('dpo', 'GET', '/api/staff/consultation')).json().consultation, null);
    const future = await call('dpo', 'POST', '/api/staff/consultation', {
      heldOn: '2027-01-01',
      reference: 'PV-1',
    });
    assert.equal(future.statusCode, 400, 'a consultation cannot lie in the future');
    const bad = await call('dpo', 'POST', '/api/staff/consultation', { heldOn: '2026-10-01' });
    assert.equal(bad.statusCode, 400, 'minutes need their reference');
    const ok = await call('dpo', 'POST', '/api/staff/consultation', {
      heldOn: '2026-10-01',
      reference: 'PV CSE 2026-10',
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const e = await lastEntry();
    assert.deepEqual([e.action, e.result, e.objectType], ['policy_change', 'allowed', 'staff_consultation']);
    const read = (await call('auditor', 'GET', '/api/staff/consultation')).json().consultation;
    assert.deepEqual(
      [read.kind, read.heldOn, read.reference, read.recordedBy],
      ['cse_minutes', '2026-10-01', 'PV CSE 2026-10', who.get('dpo')!.id],
    );
    h.clock.advance(60_000); // the latest counts by recording time (ties break on a random id)
    const none = await call('dpo', 'POST', '/api/staff/consultation', {
      none: true,
      reason: 'Moins de 11 salariés',
    });
    assert.equal(none.statusCode, 201, none.body);
    assert.deepEqual(
      [none.json().consultation.kind, none.json().consultation.reason, none.json().consultation.heldOn],
      ['no_cse_declaration', 'Moins de 11 salariés', '2026-11-02'],
    );
    const refused = await call('admin', 'POST', '/api/staff/consultation', { none: true, reason: 'none' });
    assert.equal(refused.statusCode, 403);
    assert.deepEqual([(await lastEntry()).action, (await lastEntry()).result], ['policy_change', 'denied']);
    assert.equal((await h.db.settings.latestConsultation())?.kind, 'no_cse_declaration');
  });

  it('GET /api/integrations: capture endpoints from the config, never a secret; admin only', async () => {
    assert.deepEqual(INGEST_PATHS, { twilio: TWILIO_PATH, audiohook: AUDIOHOOK_PATH, fork: FORK_PATH });
    const res = await call('admin', 'GET', '/api/integrations');
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json();
    assert.deepEqual(b.siprec.transports, ['udp', 'tls']);
    assert.equal(b.siprec.tlsPort, 5061);
    assert.deepEqual([b.twilio.configured, b.audiohook.configured, b.fork.configured], [true, false, false]);
    assert.equal(b.activeCalls, null, 'no recorder on this node');
    assert.ok(!res.body.includes('tw-secret-value'), 'the secret never leaves the server');
    assert.equal((await call('dpo', 'GET', '/api/integrations')).statusCode, 403);
  });

  it('R-SEC-1: a TOTP code spent on one API node is refused on another (store-backed replay guard)', async () => {
    await session('totpUser', ['supervisor'], ['north']);
    const other = await buildApp({
      config: loadConfig({ env: {} }),
      db: (await h.open()).kysely,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog: log,
      console: false,
    });
    h.clock.advance(60_000);
    const code = totp(base32Decode(SECRET), h.clock.now());
    const payload = { login: 'totpUser', password: 'pw-totpUser', totp: code };
    const first = await app.inject({ method: 'POST', url: '/api/auth/login', payload });
    assert.equal(first.statusCode, 200, first.body);
    const replay = await other.inject({ method: 'POST', url: '/api/auth/login', payload });
    assert.equal(replay.statusCode, 401);
    assert.equal(replay.json().code, 'ECOUTE_API_TOTP_INVALID');
    h.clock.advance(30_000);
    const next = { ...payload, totp: totp(base32Decode(SECRET), h.clock.now()) };
    assert.equal(
      (await other.inject({ method: 'POST', url: '/api/auth/login', payload: next })).statusCode,
      200,
    );
    await other.close();
    await app.close();
  });
});
