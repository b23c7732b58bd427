/** Users, sessions, tokens, policies, calls, rights, analysis documents and settings over both dialects. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { DAY_MS } from '../clock.ts';
import { isEcouteError } from '../errors.ts';
import { DbErrors } from './errors.ts';
import { decryptNumber, encryptNumber, keyedHash } from './keyed-hash.ts';
import { forEachDialect } from './testing.ts';

const hashKey = randomBytes(32);
const encKey = randomBytes(32);

forEachDialect('governance repositories', (h) => {
  it('users: unique login, roles and team scopes, opaque TOTP secret, disable', async () => {
    const u = await h.db.users.create({
      login: 'sup1',
      displayName: 'Sup One',
      passwordHash: 'scrypt$x',
      roles: ['supervisor'],
      teamScopes: ['north'],
    });
    assert.deepEqual(u.roles, ['supervisor']);
    assert.equal(u.totpEnabled, false);
    assert.ok(
      isEcouteError(
        await h.db.users
          .create({ login: 'sup1', displayName: 'x', passwordHash: 'y', roles: [] })
          .catch((e: unknown) => e),
        DbErrors.CONFLICT,
      ),
    );
    const v = await h.db.users.update(u.id, { totpSecret: 'enc:abc', totpEnabled: true, disabled: true });
    assert.equal(v.totpSecret, 'enc:abc');
    assert.equal(v.disabled, true);
    assert.equal((await h.db.users.byLogin('sup1'))?.id, u.id);
  });

  it('sessions expire and are revoked; API tokens are found by hash until revoked', async () => {
    const u = await h.db.users.create({
      login: 'ag1',
      displayName: 'Agent',
      passwordHash: 'x',
      roles: ['agent'],
    });
    const now = h.clock.now();
    await h.db.sessions.create({ idHash: 's1', userId: u.id, expiresAt: now + 1000, csrfHash: 'c1' });
    assert.equal((await h.db.sessions.getLive('s1'))?.userId, u.id);
    assert.equal(await h.db.sessions.getLive('s1', now + 1000), undefined, 'expired');
    await h.db.sessions.revoke('s1');
    assert.equal(await h.db.sessions.getLive('s1'), undefined, 'revoked');
    const t = await h.db.apiTokens.create({ tokenHash: 'th', name: 'sbc', scopes: ['ingest'] });
    assert.deepEqual((await h.db.apiTokens.useLive('th'))?.scopes, ['ingest']);
    assert.equal(await h.db.apiTokens.revoke(t.id), true);
    assert.equal(await h.db.apiTokens.useLive('th'), undefined);
  });

  it('R-SEC-1: a session keeps the second factor it proved (totp, idp or none); the store refuses others', async () => {
    const u = await h.db.users.create({
      login: 'sso1',
      displayName: 'Sso',
      passwordHash: '!sso',
      roles: ['supervisor'],
    });
    const expiresAt = h.clock.now() + 60_000;
    await h.db.sessions.create({
      idHash: 'f-idp',
      userId: u.id,
      expiresAt,
      csrfHash: 'c',
      secondFactor: 'idp',
    });
    await h.db.sessions.create({ idHash: 'f-none', userId: u.id, expiresAt, csrfHash: 'c' });
    assert.equal((await h.db.sessions.getLive('f-idp'))?.secondFactor, 'idp');
    assert.equal((await h.db.sessions.getLive('f-none'))?.secondFactor, undefined);
    await h.db.sessions.setSecondFactor('f-none', 'totp');
    assert.equal((await h.db.sessions.getLive('f-none'))?.secondFactor, 'totp');
    // A revoked session gains nothing.
    await h.db.sessions.create({ idHash: 'f-gone', userId: u.id, expiresAt, csrfHash: 'c' });
    await h.db.sessions.revoke('f-gone');
    await h.db.sessions.setSecondFactor('f-gone', 'totp');
    const gone = await h.db.kysely
      .selectFrom('sessions')
      .select('secondFactor')
      .where('idHash', '=', 'f-gone')
      .executeTakeFirstOrThrow();
    assert.equal(gone.secondFactor, null);
    // The CHECK constraint of migration 0003: no other value reaches the column, on either dialect.
    const row = (idHash: string, secondFactor: string) =>
      h.db.kysely
        .insertInto('sessions')
        .values({
          idHash,
          userId: u.id,
          createdAt: 0,
          expiresAt,
          csrfHash: 'c',
          revokedAt: null,
          secondFactor,
        })
        .execute();
    await row('f-raw-totp', 'totp');
    await assert.rejects(row('f-raw-sms', 'sms'), /check/i);
  });

  it('R-SEC-1: a TOTP step is spent once (compare-and-set in the store); users are counted', async () => {
    const before = await h.db.users.count();
    const u = await h.db.users.create({
      login: 'totp1',
      displayName: 'T',
      passwordHash: 'x',
      roles: ['dpo'],
    });
    assert.equal(await h.db.users.count(), before + 1);
    assert.equal(u.totpLastStep, undefined);
    assert.equal(await h.db.users.claimTotpStep(u.id, 1000), true);
    assert.equal(await h.db.users.claimTotpStep(u.id, 1000), false, 'the same step again');
    assert.equal(await h.db.users.claimTotpStep(u.id, 999), false, 'an older step');
    assert.equal(await h.db.users.claimTotpStep(u.id, 1001), true);
    assert.equal((await h.db.users.get(u.id))?.totpLastStep, 1001);
  });

  it('policies are versioned: a change is a new version; an active version is never edited in place', async () => {
    const v1 = await h.db.policies.createVersion('quality', { sampleRate: 0.05 }, 'dpo');
    assert.equal(v1.version, 1);
    await h.db.policies.activate('quality', 1, 'dpo');
    const v2 = await h.db.policies.createVersion('quality', { sampleRate: 0.03 }, 'dpo');
    assert.equal(v2.version, 2);
    assert.deepEqual(
      (await h.db.policies.active()).map((p) => [p.id, p.version]),
      [['quality', 1]],
    );
    await h.db.policies.activate('quality', 2, 'dpo');
    const all = await h.db.policies.versions('quality');
    assert.deepEqual(
      all.map((p) => [p.version, p.state]),
      [
        [1, 'retired'],
        [2, 'active'],
      ],
    );
    assert.deepEqual(all[0]?.content, { sampleRate: 0.05 }, 'version 1 content unchanged');
    const e = await h.db.policies.activate('quality', 1, 'dpo').catch((err: unknown) => err);
    assert.ok(isEcouteError(e, DbErrors.POLICY_IMMUTABLE));
  });

  it('R-CAL-4: calls store the number encrypted with its keyed hash; the clear number is never in the table', async () => {
    const clear = '+33 6 12 34 56 78';
    await h.db.calls.insert({
      id: 'c-enc',
      startedAt: h.clock.now(),
      direction: 'inbound',
      queue: 'sales',
      agentId: 'a-1',
      team: 'north',
      protocol: 'siprec',
      protocolIds: { callId: 'abc@sbc' },
      customerNumberEnc: encryptNumber(clear, encKey, 'c-enc'),
      customerHash: keyedHash(clear, hashKey),
      noticeVersion: 2,
      noticeEndedAt: h.clock.now() + 5000,
      decision: { record: true, rules: ['R-PUR-4'] },
    });
    const dump = JSON.stringify((await sql`select * from calls`.execute(h.db.kysely.withoutPlugins())).rows);
    for (const form of ['612345678', '0612345678', '+33612345678', '06 12 34 56 78'])
      assert.ok(!dump.includes(form), form);
    const found = await h.db.calls.byCustomerHash(keyedHash('06.12.34.56.78', hashKey) ?? '');
    assert.deepEqual(
      found.map((c) => c.id),
      ['c-enc'],
      'another format finds the same call',
    );
    assert.equal(decryptNumber(found[0]?.customerNumberEnc ?? '', encKey, 'c-enc'), '+33612345678');
    assert.deepEqual(found[0]?.decision, { record: true, rules: ['R-PUR-4'] });
    await h.db.calls.forgetCustomer('c-enc');
    assert.equal((await h.db.calls.get('c-enc'))?.customerHash, undefined);
  });

  it('R-CAL-4: the opposition list holds keyed hashes only and is idempotent', async () => {
    const hash = keyedHash('0033 6 12 34 56 78', hashKey) ?? '';
    await h.db.opposition.add(hash, 'ivr');
    await h.db.opposition.add(hash, 'agent');
    assert.equal(await h.db.opposition.has(keyedHash('06-12-34-56-78', hashKey) ?? ''), true);
    assert.equal(await h.db.opposition.count(), 1);
    assert.equal(await h.db.opposition.remove(hash), true);
  });

  it('R-DSR-3: requests are due, extended with a reason, overdue, closed', async () => {
    const t0 = h.clock.now();
    const r = await h.db.dsr.create({
      kind: 'erasure',
      subject: { numberHash: 'nh' },
      receivedAt: t0,
      dueAt: t0 + 30 * DAY_MS,
    });
    assert.deepEqual(r.subject, { numberHash: 'nh' });
    assert.deepEqual(
      (await h.db.dsr.overdue(t0 + 31 * DAY_MS)).map((x) => x.id),
      [r.id],
    );
    await h.db.dsr.extend(r.id, t0 + 90 * DAY_MS, 'complex request: 400 recordings');
    assert.deepEqual(await h.db.dsr.overdue(t0 + 31 * DAY_MS), []);
    await h.db.dsr.close(r.id, 'done', 'erased 3 recordings');
    assert.equal((await h.db.dsr.get(r.id))?.state, 'done');
    assert.deepEqual(await h.db.dsr.list({ open: true }), []);
  });

  it('R-RET-2 / R-EMP-7: analysis documents by agent, by recording, and expiring', async () => {
    const t0 = h.clock.now();
    const d = await h.db.analysis.insert({
      recordingId: 'r-1',
      kind: 'evaluation',
      agentId: 'a-1',
      evaluatorId: 'u-2',
      content: { score: 4 },
      expiresAt: t0 + 365 * DAY_MS,
    });
    assert.deepEqual(
      (await h.db.analysis.forAgent('a-1')).map((x) => x.id),
      [d.id],
    );
    assert.deepEqual((await h.db.analysis.forRecording('r-1'))[0]?.content, { score: 4 });
    assert.deepEqual(await h.db.analysis.listExpiring(t0 + 364 * DAY_MS), []);
    assert.deepEqual(
      (await h.db.analysis.listExpiring(t0 + 365 * DAY_MS)).map((x) => x.id),
      [d.id],
    );
  });

  it('R-EMP-1: settings and the latest staff consultation', async () => {
    assert.equal(await h.db.settings.latestConsultation(), undefined);
    await h.db.settings.recordConsultation({
      kind: 'cse_minutes',
      heldOn: '2026-10-01',
      reference: 'PV-2026-10',
      recordedBy: 'dpo',
    });
    h.clock.advance(1000);
    await h.db.settings.recordConsultation({
      kind: 'cse_minutes',
      heldOn: '2026-10-15',
      reference: 'PV-2026-11',
      recordedBy: 'dpo',
    });
    assert.equal((await h.db.settings.latestConsultation())?.reference, 'PV-2026-11');
    await h.db.settings.set('org', { name: 'ACME', dpoEmail: 'dpo@example.org' });
    await h.db.settings.set('org', { name: 'ACME SA' });
    assert.deepEqual(await h.db.settings.get('org'), { name: 'ACME SA' });
  });
});
