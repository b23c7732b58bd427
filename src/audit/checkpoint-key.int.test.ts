import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachDialect } from '../db/testing.ts';
import { KeyRing, LocalMasterKey } from '../vault/keyring.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { AccessLog } from './access-log.ts';
import { AUDIT_SERVICE_KEY_ID, checkpointKey } from './checkpoint-key.ts';

forEachDialect('audit checkpoint key', (h) => {
  const master = new LocalMasterKey(randomBytes(32));
  const keyRing = () => Promise.resolve(new KeyRing({ current: master, keyStore: h.db.dataKeys }));
  const node = (dataDir: string, checkpoint?: string) =>
    checkpointKey({ dataDir, audit: { checkpointKey: checkpoint } } as never, {
      dialect: h.dialect,
      keyRing,
    });
  const logWith = (key: Uint8Array) =>
    new AccessLog({
      db: h.db.kysely,
      dialect: h.dialect,
      clock: h.clock,
      checkpointKey: key,
      checkpointEvery: 2,
      retentionDays: 365,
    });
  const event = (i: number) => ({
    actor: `u${i}`,
    role: 'supervisor',
    action: 'play',
    objectType: 'recording',
    objectId: `r${i}`,
    purpose: 'quality',
    result: 'allowed' as const,
    sourceAddress: '127.0.0.1',
  });

  it('R-SEC-2: nodes with their own data directories sign the shared access log with one key, nothing to distribute', async (t) => {
    const a = tempDir();
    const b = tempDir();
    t.after(() => (a.remove(), b.remove()));
    // Two nodes starting together on a fresh database: one creates the key, the other reads it.
    const [ka, kb] = await Promise.all([node(a.path), node(b.path)]);
    if (h.dialect === 'postgres') {
      assert.deepEqual(ka, kb, 'the same key on both nodes');
      assert.equal(existsSync(join(a.path, 'audit-checkpoint.key')), false, 'no local key file');
      assert.ok(await h.db.dataKeys.get(AUDIT_SERVICE_KEY_ID), 'kept wrapped in the shared key store');
      // Entries and checkpoints written by both nodes verify with either node's key.
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => logWith(i % 2 ? ka : kb).append(event(i))));
      const r = await logWith(kb).verify();
      assert.equal(r.ok, true, JSON.stringify(r));
    } else {
      // One node on SQLite: a key file of its own, mode 0600, kept apart from the database.
      assert.equal(statSync(join(a.path, 'audit-checkpoint.key')).mode & 0o777, 0o600);
      assert.deepEqual(await node(a.path), ka, 'the file is read again at the next start');
      assert.equal(await h.db.dataKeys.get(AUDIT_SERVICE_KEY_ID), undefined);
    }
  });

  it('R-SEC-2: a configured key wins; a node that already has a key file keeps it; `audit verify` never creates one', async (t) => {
    const a = tempDir();
    t.after(a.remove);
    const configured = randomBytes(32);
    assert.deepEqual(await node(a.path, configured.toString('base64')), configured);
    const legacy = randomBytes(32);
    writeFileSync(join(a.path, 'audit-checkpoint.key'), legacy, { mode: 0o600 });
    assert.deepEqual(await node(a.path), legacy, 'the checkpoints it signed keep verifying');
    const b = tempDir();
    t.after(b.remove);
    await assert.rejects(
      checkpointKey(
        { dataDir: b.path, audit: {} } as never,
        { dialect: 'sqlite', keyRing },
        { create: false },
      ),
      /ENOENT/,
    );
    assert.equal(existsSync(join(b.path, 'audit-checkpoint.key')), false);
  });
});
