import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword, generatePassword } from './password.ts';

test('R-SEC-1: scrypt hashes carry their parameters, salt per user, and verify only the right password', async () => {
  const a = await hashPassword('correct horse', { N: 1024 });
  const b = await hashPassword('correct horse', { N: 1024 });
  assert.match(a, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.notEqual(a, b, 'a fresh salt each time');
  assert.equal(await verifyPassword('correct horse', a), true);
  assert.equal(await verifyPassword('correct hors', a), false);
  assert.equal(await verifyPassword('correct horse', 'scrypt$1024$8$1$bad'), false);
  assert.equal(await verifyPassword('x', 'plain'), false);
});

test('generated one-time passwords are long and distinct', () => {
  const p = generatePassword();
  assert.ok(p.length >= 24);
  assert.notEqual(p, generatePassword());
});
