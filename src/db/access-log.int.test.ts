import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../errors.ts';
import type { AccessLogRow } from './access-log.repo.ts';
import { DbErrors } from './errors.ts';
import { forEachDialect } from './testing.ts';

const entry = (seq: number, over: Partial<AccessLogRow> = {}): AccessLogRow => ({
  seq,
  prevHash: seq === 1 ? '0'.repeat(64) : `h${seq - 1}`,
  hash: `h${seq}`,
  at: 1_000 + seq,
  actor: 'u-1',
  role: 'supervisor',
  action: 'play',
  objectType: 'recording',
  objectId: `r-${seq % 2}`,
  purpose: 'quality',
  result: 'allowed',
  sourceAddress: '192.0.2.1',
  detail: '{}',
  ...over,
});

forEachDialect('access log storage', (h) => {
  it('R-SEC-2: the repository is append-only: it exposes no update or delete method', () => {
    const methods = Object.keys(h.db.accessLog).sort();
    assert.deepEqual(methods, ['forObject', 'insert', 'last', 'range']);
    for (const m of methods) assert.doesNotMatch(m, /update|delete|remove|purge|set|clear|truncate/i);
    assert.ok(Object.isFrozen(h.db.accessLog), 'no method can be added at run time');
  });

  it('R-SEC-2: insert, last, range by seq, and entries about one object', async () => {
    assert.equal(await h.db.accessLog.last(), undefined);
    for (let s = 1; s <= 5; s++) await h.db.accessLog.insert(entry(s));
    assert.deepEqual(await h.db.accessLog.last(), entry(5));
    assert.deepEqual(
      (await h.db.accessLog.range(2, 4)).map((e) => e.seq),
      [2, 3],
    );
    assert.deepEqual(
      (await h.db.accessLog.range(4)).map((e) => e.seq),
      [4, 5],
    );
    assert.deepEqual(
      (await h.db.accessLog.forObject('recording', 'r-1')).map((e) => e.seq),
      [1, 3, 5],
    );
  });

  it('R-SEC-2: the chain cannot fork: a second entry with the same seq is refused', async () => {
    const e = await h.db.accessLog.insert(entry(5, { hash: 'forged' })).catch((err: unknown) => err);
    assert.ok(isEcouteError(e, DbErrors.CONFLICT));
    assert.equal((await h.db.accessLog.last())?.hash, 'h5');
  });
});
