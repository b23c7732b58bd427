import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  GENESIS_HASH,
  canonicalJson,
  checkpointFields,
  link,
  verifyChain,
  type ChainEntry,
  type ChainFields,
} from './chain.ts';

const key = randomBytes(32);

function fields(seq: number, action = 'play'): ChainFields {
  return {
    seq,
    at: 1_000 * seq,
    actor: 'u1',
    role: 'supervisor',
    action,
    objectType: 'recording',
    objectId: `r${seq}`,
    purpose: 'quality',
    result: 'allowed',
    sourceAddress: '127.0.0.1',
    detail: '{}',
  };
}

function chain(n: number, checkpointEvery = 4): ChainEntry[] {
  const out: ChainEntry[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const f =
      seq % checkpointEvery === 0 ? checkpointFields(key, seq, prev, 1000 * seq, seq - 1) : fields(seq);
    const e = link(prev, f);
    out.push(e);
    prev = e.hash;
  }
  return out;
}

test('canonical JSON sorts keys at every level', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }),
    '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
  );
});

test('R-SEC-2: an intact chain with checkpoints verifies', () => {
  const r = verifyChain(chain(10), key);
  assert.deepEqual({ ok: r.ok, count: r.ok ? r.count : 0 }, { ok: true, count: 10 });
});

test('R-SEC-2: an altered field breaks the chain at that entry', () => {
  const c = chain(10);
  c[5] = { ...c[5]!, purpose: 'training' };
  assert.deepEqual(verifyChain(c, key), {
    ok: false,
    seq: 6,
    reason: 'hash does not match the entry contents',
  });
});

test('R-SEC-2: a removed entry is reported as a sequence gap, a rehashed one as a broken link', () => {
  const c = chain(10);
  const removed = [...c.slice(0, 3), ...c.slice(4)];
  const r = verifyChain(removed, key);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.seq, 5);
  const rehashed = [...c];
  rehashed[2] = link(c[1]!.hash, { ...c[2]!, result: 'denied' });
  const r2 = verifyChain(rehashed, key);
  assert.equal(!r2.ok && r2.seq, 4);
});

test('R-SEC-2: after a purge the chain starting at a signed checkpoint verifies; a forged start does not', () => {
  const c = chain(12);
  assert.equal(verifyChain(c.slice(7), key).ok, true, 'starts at checkpoint seq 8');
  const r = verifyChain(c.slice(8), key);
  assert.equal(!r.ok && r.seq, 9);
  const wrongKey = verifyChain(c.slice(7), randomBytes(32));
  assert.equal(wrongKey.ok, false);
});
