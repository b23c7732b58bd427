import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { forEachDialect } from '../../db/testing.ts';
import { loadConfig } from '../../config/config.ts';
import { silentLogger } from '../../log.ts';
import { AccessLog } from '../../audit/access-log.ts';
import { installProblemHandler, problemSchema } from '../problem.ts';
import { installAuthentication, installRouteGuard, type RouteRecord } from '../guard.ts';
import { bindAccessLog } from '../access/require-access.ts';
import { IdentityStore } from '../auth/identity.store.ts';
import { hashPassword } from '../auth/password.ts';
import type { Role } from '../access/roles.ts';
import { seededRng } from '../../random.ts';
import { analyticsRoutes } from '../analytics/analytics.routes.ts';
import { evaluationsRoutes } from './evaluations.routes.ts';

forEachDialect('evaluation API', (h) => {
  let app: FastifyInstance;
  let identity: IdentityStore;
  const who = new Map<string, { cookie: string; csrf: string }>();

  async function session(login: string, roles: Role[], teams: string[], agentId?: string) {
    const u = await identity.create({
      login,
      displayName: login,
      passwordHash: await hashPassword('pw', { N: 1024 }),
      roles,
      teams,
      agentId,
    });
    const totpOn = roles.some((r) => r !== 'agent' && r !== 'admin');
    if (totpOn) await identity.setTotp(u.id, 'JBSWY3DPEHPK3PXP', true);
    const s = await identity.openSession(u.id, totpOn ? 'totp' : undefined);
    who.set(login, { cookie: `ecoute_session=${s.sessionId}`, csrf: s.csrf });
  }
  const call = (login: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
    const s = who.get(login);
    return app.inject({
      method,
      url,
      payload,
      headers: s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {},
    });
  };

  it('builds a test app (same guard, auth and problem handler as buildApp) with the two plugins', async () => {
    const deps = {
      config: loadConfig({ env: {} }),
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog: new AccessLog({
        db: h.db.kysely,
        dialect: h.dialect,
        clock: h.clock,
        checkpointKey: randomBytes(32),
        retentionDays: 365,
      }),
    };
    app = Fastify();
    const routes: RouteRecord[] = [];
    identity = new IdentityStore(h.db.kysely, h.clock);
    bindAccessLog(() => deps.accessLog);
    app.addSchema(problemSchema);
    installProblemHandler(app);
    installRouteGuard(app, routes);
    await app.register(cookie);
    installAuthentication(app, identity);
    await app.register(evaluationsRoutes(deps, { rng: seededRng('api') }));
    await app.register(analyticsRoutes(deps));
    await app.ready();
    assert.ok(routes.length >= 14 && routes.every((r) => r.access !== 'public'));
    await session('admin', ['admin'], []);
    await session('eva', ['evaluator'], ['north']);
    await h.db.kysely
      .insertInto('agents')
      .values({
        id: 'a-1',
        displayName: 'Agent',
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
    await session('agent1', ['agent'], [], 'a-1');
    await h.db.recordings.insert({
      id: 'r-1',
      callId: 'c-1',
      policyId: 'p',
      policyVersion: 1,
      purposes: ['quality'],
      startedAt: h.clock.now(),
      agentId: 'a-1',
      team: 'north',
      direction: 'inbound',
    });
    await h.db.recordings.setSealed('r-1', {
      endedAt: h.clock.now() + 60_000,
      durationMs: 60_000,
      segments: [],
      codec: 'opus/ogg',
      sizeBytes: 1,
      sha256: 'x',
      blobKey: 'r-1',
      expiresAt: h.clock.now() + 86_400_000,
    });
  });

  it('R-MIN-1 R-SEC-2: grid by admin, evaluation refused with findings then saved, agent reads and replies, all logged', async () => {
    const grid = { name: 'G', sections: [{ id: 's', criteria: [{ id: 'c', kind: 'yes_no' }] }] };
    assert.equal((await call('eva', 'POST', '/api/evaluation-grids', grid)).statusCode, 403);
    const g = await call('admin', 'POST', '/api/evaluation-grids', grid);
    assert.equal(g.statusCode, 201);
    const gridId = g.json<{ gridId: string }>().gridId;
    const body = { recordingId: 'r-1', purpose: 'quality', gridId, answers: { c: 'yes' } };
    const dirty = await call('eva', 'POST', '/api/evaluations', { ...body, comment: 'mail jean@exemple.fr' });
    assert.equal(dirty.statusCode, 422);
    assert.deepEqual(dirty.json().findings, [{ kind: 'email', start: 5, end: 20 }]);
    assert.equal(dirty.body.includes('jean@'), false);
    assert.equal(dirty.json().rule, 'R-MIN-1');
    const ok = await call('eva', 'POST', '/api/evaluations', { ...body, comment: 'RAS' });
    assert.equal(ok.statusCode, 201, ok.body);
    const id = ok.json<{ id: string }>().id;
    const mine = await call('agent1', 'GET', '/api/evaluations');
    assert.deepEqual(
      mine.json<{ id: string }[]>().map((e) => e.id),
      [id],
    );
    assert.equal(
      (await call('agent1', 'POST', `/api/evaluations/${id}/agent-comment`, { text: 'Merci' })).statusCode,
      200,
    );
    assert.equal((await call('agent1', 'GET', '/api/recordings/r-1/analytics')).statusCode, 404);
    const entries = await h.db.accessLog.range(1);
    assert.ok(entries.some((e) => e.actor !== '' && e.objectType === 'recording' && e.objectId === 'r-1'));
    assert.ok(entries.some((e) => e.objectType === 'evaluation' && e.objectId === id));
  });

  it('R-MIN-3 / R-MIN-2: a refused evaluation is logged denied by requireAccess, with its rule', async () => {
    await session('evaSouth', ['evaluator'], ['south']);
    await session('trainerNorth', ['trainer'], ['north']);
    const grid = { name: 'H', sections: [{ id: 's', criteria: [{ id: 'c', kind: 'yes_no' }] }] };
    const gridId = (await call('admin', 'POST', '/api/evaluation-grids', grid)).json<{ gridId: string }>()
      .gridId;
    const body = { recordingId: 'r-1', purpose: 'quality', gridId, answers: { c: 'yes' } };
    const cases: [string, object, string, string][] = [
      ['evaSouth', body, 'ECOUTE_ACCESS_DENIED', 'R-MIN-3'], // outside the evaluator's teams
      ['trainerNorth', body, 'ECOUTE_ACCESS_DENIED', 'R-MIN-3'], // trainer not tied to `quality`
      ['eva', { ...body, purpose: 'training' }, 'ECOUTE_ACCESS_PURPOSE', 'R-MIN-2'], // not the recording's
      ['agent1', body, 'ECOUTE_ACCESS_DENIED', 'R-MIN-3'], // an agent never evaluates
    ];
    for (const [login, payload, code, rule] of cases) {
      const before = (await h.db.accessLog.range(1)).length;
      const res = await call(login, 'POST', '/api/evaluations', payload);
      assert.equal(res.statusCode, 403, `${login}: ${res.body}`);
      assert.equal(res.json().code, code, login);
      const added = (await h.db.accessLog.range(1)).slice(before);
      assert.equal(added.length, 1, `${login}: exactly one entry, the refusal`);
      const e = added[0]!;
      assert.equal(e.action, 'evaluate');
      assert.equal(e.result, 'denied');
      assert.equal(e.objectId, 'r-1');
      assert.equal((JSON.parse(e.detail) as { rule?: string }).rule, rule);
    }
    const grids = await call('agent1', 'GET', '/api/evaluation-grids');
    assert.equal(grids.statusCode, 403);
    const last = (await h.db.accessLog.range(1)).at(-1)!;
    assert.deepEqual([last.action, last.result], ['grid_read', 'denied']);
    const cal = await call('eva', 'POST', '/api/calibrations', {
      recordingId: 'r-1',
      gridId,
      purpose: 'quality',
    });
    assert.equal(cal.statusCode, 403, 'only trainers calibrate');
    const calLog = (await h.db.accessLog.range(1)).at(-1)!;
    assert.deepEqual([calLog.action, calLog.result], ['calibrate', 'denied']);
    const ok = await call('trainerNorth', 'POST', '/api/calibrations', {
      recordingId: 'r-1',
      gridId,
      purpose: 'quality',
    });
    assert.equal(ok.statusCode, 201, ok.body);
  });
});
