import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROLES as API_ROLES, roleMayAttempt } from '../src/api/access/roles.ts';
import { ROLES as CONSOLE_ROLES } from '../web/src/session.ts';
import { canAdministerUsers, navFor } from '../web/src/nav.ts';

test('the console knows the API’s roles, no more, no fewer', () => {
  assert.deepEqual([...CONSOLE_ROLES].sort(), [...API_ROLES].sort());
});

test('R-SEC-1: only the roles the API lets administer accounts get the users page and its link', () => {
  const admins = API_ROLES.filter((r) => roleMayAttempt(r, 'user_admin'));
  assert.ok(admins.length >= 1, 'some role administers accounts');
  for (const r of CONSOLE_ROLES) {
    const allowed = roleMayAttempt(r, 'user_admin');
    assert.equal(canAdministerUsers([r]), allowed, `page guard for ${r}`);
    assert.equal(
      navFor([r]).some((i) => i.href === '/admin/users'),
      allowed,
      `link for ${r}`,
    );
  }
  assert.equal(canAdministerUsers(['auditor', 'admin']), true, 'any one of several roles is enough');
});
