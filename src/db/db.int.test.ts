import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isEcouteError } from '../errors.ts';
import { DbErrors } from './errors.ts';
import { openDatabase } from './index.ts';
import { MIGRATION_NAMES } from './migrate.ts';
import { forEachDialect } from './testing.ts';

forEachDialect('store', (h) => {
  it('migrations ran on open and are idempotent: a second open applies nothing', async () => {
    // Every migration of the list, in order (the list is checked against the files in migrate.ts).
    assert.deepEqual(h.db.migrations.current, [...MIGRATION_NAMES]);
    const again = await h.open();
    assert.deepEqual(again.migrations.applied, []);
    assert.deepEqual(again.migrations.current, [...MIGRATION_NAMES]);
  });

  it('timestamps and counts come back as numbers on both dialects', async () => {
    const big = Date.UTC(2030, 0, 1);
    await h.db.calls.insert({
      id: 'call-ts',
      startedAt: big,
      direction: 'inbound',
      queue: undefined,
      agentId: undefined,
      team: undefined,
      protocol: 'siprec',
      protocolIds: {},
      customerNumberEnc: undefined,
      customerHash: undefined,
      noticeVersion: undefined,
      noticeEndedAt: undefined,
    });
    const c = await h.db.calls.get('call-ts');
    assert.equal(c?.startedAt, big);
    assert.equal(typeof c?.startedAt, 'number');
    const n = await h.db.kysely
      .selectFrom('calls')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(typeof n.n, 'number');
  });

  it('a transaction rolls back every repository write when its function throws', async () => {
    await assert.rejects(
      h.db.transaction(async (tx) => {
        await tx.agents.upsert({ id: 'tx-agent', displayName: 'Tx' });
        await tx.opposition.add('tx-hash', 'test');
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await h.db.agents.get('tx-agent'), undefined);
    assert.equal(await h.db.opposition.has('tx-hash'), false);
    await h.db.transaction(async (tx) => tx.opposition.add('tx-hash', 'test'));
    assert.equal(await h.db.opposition.has('tx-hash'), true);
  });

  it('foreign keys are enforced (an acknowledgement for an unknown agent is refused)', async () => {
    await assert.rejects(
      h.db.kysely
        .insertInto('agentNoticeAcks')
        .values({ id: 'x', agentId: 'nobody', noticeVersion: 1, ackedAt: 1, source: 't' })
        .execute(),
    );
  });

  if (h.dialect === 'sqlite') {
    it('the SQLite store runs in WAL mode with foreign keys on', async () => {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(
        h.db.kysely.withoutPlugins(),
      );
      assert.equal(mode.rows[0]?.journal_mode, 'wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(
        h.db.kysely.withoutPlugins(),
      );
      assert.equal(fk.rows[0]?.foreign_keys, 1);
    });
  }
});

it('an unreachable PostgreSQL gives ECOUTE_DB_UNREACHABLE without the password', async () => {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  const e = await openDatabase({ url: 'postgres://u:s3cret@127.0.0.1:1/x' }).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(isEcouteError(e, DbErrors.UNREACHABLE));
  assert.doesNotMatch(e.message, /s3cret/);
});
