import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachDialect } from '../../db/testing.ts';
import { loadConfig } from '../../config/config.ts';
import { silentLogger } from '../../log.ts';
import { AccessLog } from '../../audit/access-log.ts';
import { PolicySource } from '../../capture/policy.source.ts';
import { parsePolicyText } from '../../policy/parse.ts';
import { buildApp } from '../app.ts';
import { IdentityStore } from '../auth/identity.store.ts';
import type { Role } from '../access/roles.ts';

/** The example quality policy: its employee notice is version 3. */
const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'policies', 'qualite-fr.yaml');

forEachDialect('GET /api/staff/notices (R-EMP-2)', (h) => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let log: AccessLog;
  const policies = new PolicySource();
  const cookies = new Map<string, string>();

  after(() => app?.close());

  const get = (login: string) =>
    app.inject({ url: '/api/staff/notices', headers: { cookie: cookies.get(login) ?? '' } });

  it('builds the app over the real store, with agents who acknowledged the notice versions', async () => {
    log = new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    app = await buildApp({
      config: loadConfig({ env: {}, overrides: {} }),
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      log: silentLogger,
      accessLog: log,
      policies,
      console: false,
    });
    const agents: [string, string][] = [
      ['a1', 'Alice Martin'],
      ['a2', 'Bruno Petit'],
      ['a3', 'Chloé Roux'],
      ['a4', 'Driss Benali'],
      ['a5', 'Emma Leroy'],
    ];
    for (const [id, name] of agents) await h.db.agents.upsert({ id, displayName: name, teamId: 'support' });
    await h.db.agents.ack('a1', 2);
    await h.db.agents.ack('a3', 2);
    h.clock.advance(86_400_000);
    await h.db.agents.ack('a1', 3);
    await h.db.agents.ack('a2', 3);
    await h.db.agents.ack('a5', 3);
    await h.db.agents.ack('a5', 3, 'link'); // a second link followed: still one agent
    const identity = new IdentityStore(h.db.kysely, h.clock);
    const users: [string, Role][] = [
      ['dora', 'dpo'],
      ['audrey', 'auditor'],
      ['adam', 'admin'],
      ['sam', 'supervisor'],
    ];
    for (const [login, role] of users) {
      const u = await identity.create({
        login,
        displayName: login,
        passwordHash: '!',
        roles: [role],
        teams: [],
      });
      // Opened after the acknowledgements' days went by. The DPO and the supervisor hear audio: their sessions carry the second factor (R-SEC-1).
      const s = await identity.openSession(
        u.id,
        role === 'dpo' || role === 'supervisor' ? 'totp' : undefined,
      );
      cookies.set(login, `ecoute_session=${s.sessionId}`);
    }
  });

  it('R-EMP-2: without a policy in force, the versions acknowledged so far, each out of the directory', async () => {
    const r = await get('dora');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), {
      agents: 5,
      current: null,
      versions: [
        { version: 3, acknowledged: 3, current: false },
        { version: 2, acknowledged: 2, current: false },
      ],
    });
  });

  it('R-EMP-2: with the policy in force, its version is marked; a version nobody acknowledged yet is listed at 0', async () => {
    const file = parsePolicyText(readFileSync(EXAMPLE, 'utf8'), 'yaml') as {
      notices: { employee: { version: number } };
    };
    policies.set(file);
    assert.deepEqual((await get('dora')).json().versions[0], { version: 3, acknowledged: 3, current: true });
    file.notices.employee.version = 4;
    policies.set(file);
    const r = await get('audrey');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json(), {
      agents: 5,
      current: 4,
      versions: [
        { version: 4, acknowledged: 0, current: true },
        { version: 3, acknowledged: 3, current: false },
        { version: 2, acknowledged: 2, current: false },
      ],
    });
    // Counts only: no agent id or name is in the answer.
    assert.doesNotMatch(r.body, /a[1-5]"|Alice|Bruno|Chloé|Driss|Emma/);
  });

  it('R-SEC-2: read by the DPO and the auditor (policy_read, logged); refused to the administrator and a supervisor', async () => {
    for (const login of ['adam', 'sam']) {
      const r = await get(login);
      assert.equal(r.statusCode, 403, `${login}: ${r.body}`);
      assert.equal(r.json<{ code: string }>().code, 'ECOUTE_ACCESS_DENIED');
    }
    assert.equal((await app.inject({ url: '/api/staff/notices' })).statusCode, 401);
    const entries = (await log.list({ action: 'policy_read', limit: 100 })).map((e) => [e.role, e.result]);
    assert.deepEqual(entries, [
      ['dpo', 'allowed'],
      ['dpo', 'allowed'],
      ['auditor', 'allowed'],
      ['admin', 'denied'],
      ['supervisor', 'denied'],
    ]);
  });
});
