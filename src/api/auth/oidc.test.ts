import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIELDS } from '../../config/config.fields.ts';
import { loadConfig } from '../../config/config.ts';
import { assertedMfa, loginErrorPath, mapClaims, parseMfaRules, prefersHtml, type MfaRule } from './oidc.ts';

function rules(entries: readonly string[]): MfaRule[] {
  const r = parseMfaRules(entries);
  if ('error' in r) throw new Error(r.error);
  return r.rules;
}

const defaults = rules(loadConfig({ env: {} }).oidc.mfaAmr);

test('R-SEC-1: the default oidc.mfaAmr accepts the IdP saying mfa, or two distinct factors', () => {
  assert.equal(assertedMfa(['pwd', 'mfa'], defaults), 'mfa');
  assert.equal(assertedMfa(['mfa'], defaults), 'mfa');
  assert.equal(assertedMfa(['pwd', 'otp'], defaults), 'pwd+otp');
  assert.equal(assertedMfa(['hwk', 'pwd'], defaults), 'pwd+hwk', 'order in the token does not matter');
  assert.equal(assertedMfa(['hwk', 'pin'], defaults), 'hwk+pin');
  assert.equal(assertedMfa(['hwk', 'fpt', 'user'], defaults), 'hwk+fpt');
});

test('R-SEC-1: the default oidc.mfaAmr refuses one factor, SMS, software keys and absent amr', () => {
  for (const amr of [['pwd'], ['otp'], ['hwk'], ['pwd', 'sms'], ['swk', 'pin'], ['pin'], ['kba', 'pwd'], []])
    assert.equal(assertedMfa(amr, defaults), undefined, amr.join('+'));
  assert.equal(assertedMfa(undefined, defaults), undefined);
  // Values are case-sensitive (RFC 8176 §2): "MFA" is not "mfa".
  assert.equal(assertedMfa(['MFA'], defaults), undefined);
});

test('R-SEC-1: an empty oidc.mfaAmr never trusts the IdP', () => {
  const none = rules([]);
  assert.equal(assertedMfa(['pwd', 'mfa'], none), undefined);
  assert.equal(assertedMfa(['hwk', 'pin', 'mfa', 'otp'], none), undefined);
});

test('oidc.mfaAmr: operator rules (swk+pin, an IdP-specific value) and malformed entries', () => {
  const mine = rules(['swk+pin', 'ngcmfa']);
  assert.equal(assertedMfa(['swk', 'pin'], mine), 'swk+pin');
  assert.equal(assertedMfa(['swk'], mine), undefined);
  assert.equal(assertedMfa(['ngcmfa'], mine), 'ngcmfa');
  assert.equal(assertedMfa(['mfa'], mine), undefined, 'only what is listed counts');
  for (const bad of ['', 'pwd+', '+otp', 'pwd + otp', 'pwd++otp'])
    assert.ok('error' in parseMfaRules([bad]), JSON.stringify(bad));
});

test('oidc.mfaAmr from the environment: a comma list, and an empty value is an empty list', () => {
  const field = FIELDS.find((f) => f.path === 'oidc.mfaAmr');
  assert.ok(field);
  const from = (v: string) => loadConfig({ env: { [field.env]: v } }).oidc.mfaAmr;
  assert.deepEqual(from('mfa, pwd+otp'), ['mfa', 'pwd+otp']);
  assert.deepEqual(from(''), []);
});

test('claims map to roles and teams through the mapping only', () => {
  const m = mapClaims(
    { sub: 's', groups: ['cc-supervisors', 'team-a', 'other'], amr: ['mfa'] },
    { 'cc-supervisors': { role: 'supervisor' }, 'team-a': { team: 'teamA' } },
  );
  assert.deepEqual(m, { roles: ['supervisor'], teams: ['teamA'] });
});

test('a browser navigation prefers HTML; fetch, curl and HTTP libraries keep the JSON problem', () => {
  // What Chromium and Firefox send when they follow the IdP's redirect to the callback.
  assert.equal(
    prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'),
    true,
  );
  assert.equal(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), true);
  assert.equal(prefersHtml('application/json'), false, 'the console’s fetch');
  assert.equal(prefersHtml('*/*'), false, 'curl');
  assert.equal(prefersHtml(undefined), false);
  assert.equal(prefersHtml(''), false);
  assert.equal(prefersHtml('application/json, text/html;q=0.5'), false, 'JSON weighs more');
  assert.equal(prefersHtml('application/problem+json, text/html;q=0.9'), false);
  assert.equal(prefersHtml('text/html;q=0'), false, 'q=0 means not acceptable (RFC 9110 §12.4.2)');
  assert.equal(prefersHtml('TEXT/HTML ; q=1'), true, 'media types are case-insensitive');
});

test('a refused SSO login lands on the console login page with the code (and rule), nothing else', () => {
  assert.equal(loginErrorPath({ code: 'ECOUTE_API_OIDC_NO_ROLE' }), '/login?error=ECOUTE_API_OIDC_NO_ROLE');
  assert.equal(
    loginErrorPath({ code: 'ECOUTE_API_TOTP_REQUIRED', rule: 'R-SEC-1' }),
    '/login?error=ECOUTE_API_TOTP_REQUIRED&rule=R-SEC-1',
  );
});
