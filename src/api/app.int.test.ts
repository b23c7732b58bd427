import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { forEachDialect } from '../db/testing.ts';
import { loadConfig } from '../config/config.ts';
import { createLogger } from '../log.ts';
import { AccessLog } from '../audit/access-log.ts';
import { buildApp } from './app.ts';
import { IdentityStore } from './auth/identity.store.ts';
import { hashPassword } from './auth/password.ts';
import { base32Decode, totp } from './auth/totp.ts';
import type { AudioSource } from './recordings/audio.ts';
import type { Role } from './access/roles.ts';

// FAKE audio source: stands in for the vault reader (same shape) until src/main.ts wires the vault.
const pcm = Buffer.alloc(16000 * 5, 0xff);
for (let i = 0; i < pcm.length; i++) pcm[i] = i % 251;
const fakeAudio: AudioSource = {
  open: () => Promise.resolve({ size: pcm.length, read: (s, e) => Promise.resolve(pcm.subarray(s, e)) }),
};

forEachDialect('API', (h) => {
  const lines: string[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
  let app: Awaited<ReturnType<typeof buildApp>>;
  let log: AccessLog;
  let identity: IdentityStore;
  const cookies = new Map<string, { cookie: string; csrf: string }>();

  async function session(login: string, roles: Role[], teams: string[], totpOn: boolean, agentId?: string) {
    const u = await identity.create({
      login,
      displayName: login,
      passwordHash: await hashPassword('pw-' + login, { N: 1024 }),
      roles,
      teams,
      agentId,
    });
    if (totpOn) await identity.setTotp(u.id, 'JBSWY3DPEHPK3PXP', true);
    // As if logged in with the code (R-SEC-1: the session, not the account, carries the second factor).
    const s = await identity.openSession(u.id, totpOn ? 'totp' : undefined);
    cookies.set(login, { cookie: `ecoute_session=${s.sessionId}`, csrf: s.csrf });
    return u;
  }

  it('builds the app over the real store', async () => {
    const k = h.db.kysely;
    log = new AccessLog({
      db: k,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    const config = loadConfig({ env: {}, overrides: { 'log.level': 'info' } });
    app = await buildApp({
      config,
      db: k,
      dialect: h.dialect,
      clock: h.clock,
      log: createLogger('info', sink),
      accessLog: log,
      audio: fakeAudio,
    });
    identity = new IdentityStore(k, h.clock);
    await k
      .insertInto('agents')
      .values({
        id: 'a1',
        displayName: 'Agent One',
        teamId: null,
        sipAor: null,
        extension: null,
        protectedLine: 0,
        neverRecord: 0,
        noticeVersion: null,
        noticeAckedAt: null,
        createdAt: 0,
        updatedAt: 0,
      })
      .execute();
    await k
      .insertInto('calls')
      .values({
        id: 'c1',
        startedAt: 1,
        endedAt: 2,
        direction: 'inbound',
        queue: 'q1',
        agentId: 'a1',
        team: 'teamA',
        protocol: 'siprec',
        protocolIds: '{}',
        customerNumberEnc: null,
        customerHash: null,
        noticeVersion: 1,
        noticeEndedAt: 1,
        decision: null,
      })
      .execute();
    await k
      .insertInto('recordings')
      .values({
        id: 'rec1',
        callId: 'c1',
        state: 'sealed',
        policyId: 'p1',
        policyVersion: 1,
        purposes: '["quality"]',
        startedAt: h.clock.now(),
        endedAt: h.clock.now() + 5000,
        durationMs: 5000,
        segments: '[]',
        channels: '[]',
        codec: 'pcmu',
        sizeBytes: pcm.length,
        sha256: null,
        blobKey: null,
        expiresAt: null,
        audioExpiresAt: null,
        writeOnce: 0,
        legalHoldId: null,
        agentId: 'a1',
        team: 'teamA',
        queue: 'q1',
        direction: 'inbound',
        customerHash: null,
        createdAt: 0,
        updatedAt: 0,
      })
      .execute();
  });

  it('every route has a schema and an access declaration; an unguarded route is refused', () => {
    assert.ok(app.ecouteRoutes.length >= 15);
    for (const r of app.ecouteRoutes) assert.ok(r.hasSchema && r.access, `${r.method} ${r.url}`);
    // R-SEC-3: the only analytics routes are talk analytics over recordings and evaluations; that they
    // never read the access log is proven in src/analytics/aggregates.int.test.ts. Nothing else ranks.
    const analytics = app.ecouteRoutes
      .filter((r) => /analytic|stat|rank|score/i.test(r.url))
      .map((r) => r.url)
      .sort();
    assert.deepEqual(
      analytics,
      ['/api/analytics/teams', '/api/recordings/:id/analytics'],
      'R-SEC-3: no analytics route over the access log',
    );
  });

  it('R-SEC-1 / R-MIN-2 / R-MIN-3: the role × purpose matrix on playback, every attempt logged', async () => {
    await session('sup', ['supervisor'], ['teamA'], true);
    await session('supOther', ['supervisor'], ['teamB'], true);
    await session('trainer', ['trainer'], ['teamA'], true);
    await session('evalNoTotp', ['evaluator'], ['teamA'], false);
    await session('admin', ['admin'], [], false);
    await session('agent', ['agent'], [], false, 'a1');
    await session('auditor', ['auditor'], [], false);
    const cases: [string, string, number, string | undefined][] = [
      ['sup', 'quality', 200, undefined],
      ['sup', 'training', 403, 'ECOUTE_ACCESS_PURPOSE'],
      ['supOther', 'quality', 403, 'ECOUTE_ACCESS_DENIED'],
      ['trainer', 'quality', 403, 'ECOUTE_ACCESS_DENIED'],
      ['evalNoTotp', 'quality', 403, 'ECOUTE_API_TOTP_REQUIRED'],
      ['admin', 'quality', 403, 'ECOUTE_ACCESS_DENIED'],
      ['agent', 'quality', 403, 'ECOUTE_ACCESS_DENIED'],
      ['auditor', 'quality', 403, 'ECOUTE_ACCESS_DENIED'],
    ];
    for (const [login, purpose, status, code] of cases) {
      const before = (await log.list({ limit: 10_000 })).length;
      const res = await app.inject({
        url: `/api/recordings/rec1/audio?purpose=${purpose}`,
        headers: { cookie: cookies.get(login)!.cookie },
      });
      assert.equal(res.statusCode, status, `${login} ${purpose}: ${res.body.slice(0, 200)}`);
      if (code) assert.equal(res.json().code, code, login);
      const entries = await log.list({ limit: 10_000 });
      assert.equal(entries.length, before + 1, `${login}: one access-log entry`);
      const e = entries[entries.length - 1]!;
      assert.equal(e.result, status === 200 ? 'allowed' : 'denied');
      assert.equal(e.action, 'play');
      assert.equal(e.purpose, purpose);
      assert.equal(e.objectId, 'rec1');
    }
    const dl = await app.inject({
      url: '/api/recordings/rec1/download?purpose=quality',
      headers: { cookie: cookies.get('sup')!.cookie },
    });
    assert.equal(dl.json().code, 'ECOUTE_ACCESS_DOWNLOAD_DISABLED', 'R-SEC-5: off by default');
    assert.equal(dl.json().rule, 'R-SEC-5');
  });

  it('HTTP range requests on audio return 206 with the right bytes', async () => {
    const full = await app.inject({
      url: '/api/recordings/rec1/audio?purpose=quality',
      headers: { cookie: cookies.get('sup')!.cookie },
    });
    const body = full.rawPayload;
    assert.equal(body.subarray(0, 4).toString(), 'RIFF');
    assert.ok(body.includes(Buffer.from('ecoute recording rec1')));
    const part = await app.inject({
      url: '/api/recordings/rec1/audio?purpose=quality',
      headers: { cookie: cookies.get('sup')!.cookie, range: 'bytes=100-4099' },
    });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 100-4099/${body.length}`);
    assert.deepEqual(part.rawPayload, body.subarray(100, 4100));
    const bad = await app.inject({
      url: '/api/recordings/rec1/audio?purpose=quality',
      headers: { cookie: cookies.get('sup')!.cookie, range: `bytes=${body.length}-` },
    });
    assert.equal(bad.statusCode, 416);
  });

  it('R-SEC-1: TOTP enrolment then login with code, the login entry naming the factor; CSRF refused; stolen session refused after logout', async () => {
    await identity.create({
      login: 'eva',
      displayName: 'Eva',
      passwordHash: await hashPassword('secret-eva', { N: 1024 }),
      roles: ['evaluator'],
      teams: ['teamA'],
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'eva', password: 'secret-eva' },
    });
    assert.equal(login.statusCode, 200);
    assert.equal(login.json().user.totpRequired, true);
    assert.equal(login.json().user.secondFactor, null);
    // The login's access-log entry says which second factor it used (none here), and nothing personal.
    const loginDetail = async (): Promise<unknown> => {
      const entries = await log.list({ action: 'login', limit: 10_000 });
      return JSON.parse(entries.filter((e) => e.actor === login.json().user.id).at(-1)!.detail);
    };
    assert.deepEqual(await loginDetail(), { method: 'password', secondFactor: 'none' });
    const cookie = `ecoute_session=${login.cookies.find((c) => c.name === 'ecoute_session')!.value}`;
    const csrf = login.json().csrfToken as string;
    const search = await app.inject({ url: '/api/recordings', headers: { cookie } });
    assert.equal(search.json().code, 'ECOUTE_API_TOTP_REQUIRED');
    const noCsrf = await app.inject({ method: 'POST', url: '/api/auth/totp/enrol', headers: { cookie } });
    assert.equal(noCsrf.json().code, 'ECOUTE_API_CSRF');
    const enrol = await app.inject({
      method: 'POST',
      url: '/api/auth/totp/enrol',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    const secret = enrol.json().secret as string;
    assert.match(enrol.json().otpauthUri, /^otpauth:\/\/totp\//);
    const code = totp(base32Decode(secret), h.clock.now());
    const confirm = await app.inject({
      method: 'POST',
      url: '/api/auth/totp/confirm',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { code },
    });
    assert.equal(confirm.statusCode, 200, confirm.body);
    const ok = await app.inject({ url: '/api/recordings', headers: { cookie } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().items.length, 1);
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    assert.equal(out.statusCode, 200);
    const replay = await app.inject({ url: '/api/recordings', headers: { cookie } });
    assert.equal(replay.statusCode, 401, 'stolen session replayed after logout');
    const noCode = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'eva', password: 'secret-eva' },
    });
    assert.equal(noCode.json().code, 'ECOUTE_API_TOTP_REQUIRED');
    h.clock.advance(30_000);
    const withCode = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'eva', password: 'secret-eva', totp: totp(base32Decode(secret), h.clock.now()) },
    });
    assert.equal(withCode.statusCode, 200, withCode.body);
    assert.equal(withCode.json().user.secondFactor, 'totp');
    assert.deepEqual(await loginDetail(), { method: 'password', secondFactor: 'totp' });
  });

  it('login throttling: backoff per login after repeated failures', async () => {
    for (let i = 0; i < 4; i++)
      await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { login: 'admin', password: 'wrong' },
      });
    const locked = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'admin', password: 'pw-admin' },
    });
    assert.equal(locked.statusCode, 429);
    assert.ok(Number(locked.headers['retry-after']) >= 1);
    h.clock.advance(60_000);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { login: 'admin', password: 'pw-admin' },
    });
    assert.equal(ok.statusCode, 200);
  });

  it('R-EMP-7: an agent sees who listened to their calls; API tokens are scoped', async () => {
    const res = await app.inject({
      url: '/api/me/listeners',
      headers: { cookie: cookies.get('agent')!.cookie },
    });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().items.some((i: { listenerRole: string }) => i.listenerRole === 'supervisor'));
    const admin = cookies.get('admin')!;
    const t = await app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { name: 'cti', scopes: ['calls:control'] },
    });
    assert.equal(t.statusCode, 201, t.body);
    const token = t.json().token as string;
    const denied = await app.inject({
      url: '/api/recordings',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(denied.statusCode, 403);
    await app.inject({
      method: 'DELETE',
      url: `/api/tokens/${t.json().id}`,
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
    });
    const revoked = await app.inject({
      url: '/api/recordings',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(revoked.statusCode, 401);
  });

  it('R-SEC-2: the chain verifies through the API; no personal data in the logs', async () => {
    const v = await app.inject({
      url: '/api/audit/verify',
      headers: { cookie: cookies.get('auditor')!.cookie },
    });
    assert.equal(v.json().ok, true);
    const all = lines.join('');
    for (const secret of ['secret-eva', 'pw-admin', 'Agent One', 'ecoute_session='])
      assert.ok(!all.includes(secret), secret);
    await app.close();
  });
});
