/**
 * SSO and the second factor in the console, end to end: a REAL OpenID provider (oidc-provider on loopback,
 * idp.ts), the real API configured for it (buildApp over SQLite, the hash-chained access log, a vault on
 * disk), the built console and Debian's Chromium. A supervisor signs in through the SSO button; the IdP
 * asserts no accepted MFA (`amr: ["pwd"]`), so the session has no second factor (R-SEC-1): the first
 * time the console asks for enrolment, the next time for the code, on its own step, before anything else;
 * a wrong code is refused and logged, the right one opens the page the login set out from, and playback.
 * Also on this deployment: the failed recording's label, and the administrator's teams and integrations
 * pages fed by the API's real answers. That the button is absent without SSO is in console.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { base32Decode, totp } from '../../../src/api/auth/totp.ts';
import { ARTIFACTS, chromiumAvailable, startHarness, type Harness } from './harness.ts';
import { startIdp, type Idp } from '../../support/oidc-idp.ts';
import { seedInformedAgent, seedPlayable } from './seed.ts';
import { join } from 'node:path';

const REQUIRE = process.env.ECOUTE_TEST_REQUIRE_CHROMIUM === '1';
const skip = !chromiumAvailable() && !REQUIRE;
if (skip)
  console.log(
    '# SKIPPED SSO console e2e: /usr/bin/chromium is missing (set ECOUTE_TEST_REQUIRE_CHROMIUM=1 to fail instead)',
  );

const REC = 'rec-sso-1';
const FAILED = 'rec-sso-failed';
const SSO_BUTTON = 'Se connecter avec le compte de l’entreprise (SSO)';
const code = (secret: string, offsetMs = 0): string => totp(base32Decode(secret), Date.now() + offsetMs);

/** A six-digit code that none of the steps around now accepts (the API allows ±1 step). */
function wrongCode(secret: string): string {
  const near = [-60_000, -30_000, 0, 30_000, 60_000].map((d) => code(secret, d));
  return ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c)) as string;
}

// Functions run in the page cannot use closures (the console's CSP forbids string evaluation); the test
// tsconfig has no DOM types, so each function types the few members it reads.
type Q = { querySelector(s: string): Record<string, unknown> | null };
const audioAdvanced = (): boolean =>
  ((globalThis as unknown as { document: Q }).document.querySelector('[data-testid=audio]')
    ?.currentTime as number) > 0.2;

interface MeAnswer {
  login: string;
  roles: string[];
  secondFactor: string | null;
  totpRequired: boolean;
  totpVerifyRequired: boolean;
}
const me = (page: Page): Promise<MeAnswer> =>
  page.evaluate<MeAnswer>("fetch('/api/auth/me').then((r) => r.json())");

/** The newest `login` entries of the access log for `actor`, parsed. */
async function logins(h: Harness, actor: string): Promise<{ result: string; detail: unknown }[]> {
  return (await h.accessLog.list({ action: 'login', limit: 10_000 }))
    .filter((e) => e.actor === actor)
    .map((e) => ({ result: e.result, detail: JSON.parse(e.detail) as unknown }));
}

describe('console SSO and second factor in Chromium', { skip }, () => {
  let idp: Idp;
  let h: Harness;
  let page: Page;
  let secret = '';
  let supId = '';

  before(async () => {
    idp = await startIdp({
      accounts: {
        'u-sup': { name: 'Sam Sup', groups: ['cc-supervisors', 'team-a'] },
        // Known to the IdP, but in no group the mapping gives a role.
        'u-none': { name: 'Nadia Nobody', groups: ['marketing'] },
      },
    });
    idp.next = { account: 'u-sup', amr: ['pwd'] };
    h = await startHarness({
      config: (url) => {
        const redirectUrl = `${url}/api/auth/oidc/callback`;
        idp.register(redirectUrl);
        return {
          'oidc.issuer': idp.issuer,
          'oidc.clientId': idp.clientId,
          'oidc.clientSecret': idp.clientSecret,
          'oidc.redirectUrl': redirectUrl,
          'oidc.claimMapping': JSON.stringify({
            'cc-supervisors': { role: 'supervisor' },
            'team-a': { team: 'teamA' },
          }),
        };
      },
    });
    await seedInformedAgent(h.db, 'a1', 'Alice Martin', 'teamA', 1);
    await h.db.agents.upsertTeam('teamA', 'Équipe A');
    await seedPlayable(h.db, h.vault, {
      id: REC,
      purposes: ['quality'],
      team: 'teamA',
      agentId: 'a1',
      startedAt: Date.now() - 60_000,
    });
    // A recording whose spool could not be opened, through the store's own transition.
    const startedAt = Date.now() - 120_000;
    await h.db.calls.insert({
      id: `call-${FAILED}`,
      startedAt,
      direction: 'inbound',
      queue: 'support',
      agentId: 'a1',
      team: 'teamA',
      protocol: 'siprec',
      protocolIds: {},
      customerNumberEnc: undefined,
      customerHash: undefined,
      noticeVersion: 1,
      noticeEndedAt: startedAt,
    });
    await h.db.recordings.insert({
      id: FAILED,
      callId: `call-${FAILED}`,
      policyId: 'quality-2026',
      policyVersion: 1,
      purposes: ['quality'],
      startedAt,
      agentId: 'a1',
      team: 'teamA',
      direction: 'inbound',
    });
    assert.ok(
      await h.db.recordings.markFailed(FAILED, { endedAt: startedAt, expiresAt: Date.now() + 86_400_000 }),
    );
    await h.addUser('adam', ['admin']);
    page = await h.browser.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await h?.close();
    await idp?.close();
  });

  it('the login page offers SSO when OpenID Connect is configured: a link to the API’s SSO login route', async () => {
    await page.goto(`${h.url}/recordings/${REC}`);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await page.locator('form[data-providers=known]').waitFor();
    const sso = page.getByRole('link', { name: SSO_BUTTON });
    assert.equal(await sso.getAttribute('href'), '/api/auth/oidc/login');
    await page.screenshot({ path: join(ARTIFACTS, 'login-sso.png') });
  });

  it('R-SEC-1: the first SSO login of a supervisor without accepted MFA must enrol TOTP, then lands where it set out', async () => {
    await page.getByRole('link', { name: SSO_BUTTON }).click();
    await page.getByRole('heading', { name: 'Activer la double authentification' }).waitFor();
    assert.equal(idp.logins, 1, 'the browser went through the IdP’s login step');
    const u = await me(page);
    assert.equal(u.login, 'oidc:u-sup');
    assert.deepEqual(u.roles, ['supervisor']);
    assert.equal(u.secondFactor, null);
    assert.equal(u.totpRequired, true);
    supId = (await h.identity.byLogin('oidc:u-sup'))?.id ?? '';
    assert.deepEqual((await logins(h, supId)).at(-1), {
      result: 'allowed',
      detail: { method: 'oidc', secondFactor: 'none' },
    });
    secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    await page.getByLabel('Code à 6 chiffres').fill(code(secret));
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByRole('heading', { name: 'Enregistrement' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/recordings/${REC}`, 'back where the login set out');
  });

  it('R-SEC-1: the next SSO login asks for the code on its own step; until then the API serves no audio', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await page.goto(`${h.url}/recordings/${REC}`);
    await page.getByRole('link', { name: SSO_BUTTON }).click();
    await page.getByRole('heading', { name: 'Code de double authentification' }).waitFor();
    const u = await me(page);
    assert.equal(u.secondFactor, null);
    assert.equal(u.totpRequired, false);
    assert.equal(u.totpVerifyRequired, true);
    assert.equal(
      await page.getByRole('navigation', { name: 'Navigation principale' }).count(),
      0,
      'no navigation before the code',
    );
    assert.equal(await page.getByTestId('who').count(), 1, 'signed in: the user may still sign out');
    const audio = await page.evaluate<{ status: number; code: string; rule: string }>(
      `fetch('/api/recordings/${REC}/audio?purpose=quality').then(async (r) => ({ status: r.status, ...(await r.json()) }))`,
    );
    assert.deepEqual(
      { status: audio.status, code: audio.code, rule: audio.rule },
      { status: 403, code: 'ECOUTE_API_TOTP_REQUIRED', rule: 'R-SEC-1' },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'sso-verify.png') });
  });

  it('R-SEC-1: a wrong code is refused with its code and message, the step stays, the attempt is logged', async () => {
    await page.getByLabel('Code de vérification').fill(wrongCode(secret));
    await page.getByRole('button', { name: 'Vérifier' }).click();
    const err = page.getByTestId('error');
    await err.waitFor();
    const text = (await err.textContent()) ?? '';
    assert.match(text, /ECOUTE_API_TOTP_INVALID/);
    assert.match(text, /Code de vérification incorrect ou déjà utilisé/);
    assert.equal(await page.getByLabel('Code de vérification').inputValue(), '', 'the field is cleared');
    await page.getByRole('heading', { name: 'Code de double authentification' }).waitFor();
    assert.deepEqual((await logins(h, supId)).at(-1), {
      result: 'denied',
      detail: { method: 'totp_verify', code: 'ECOUTE_API_TOTP_INVALID' },
    });
    assert.equal((await me(page)).totpVerifyRequired, true, 'a wrong code gives nothing');
  });

  it('R-SEC-1: the right code opens the page the login set out for, and playback with a purpose', async () => {
    // The step after the enrolment's (a code is spent once, RFC 6238 §5.2).
    await page.getByLabel('Code de vérification').fill(code(secret, 30_000));
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.getByRole('heading', { name: 'Enregistrement' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/recordings/${REC}`);
    assert.equal((await me(page)).secondFactor, 'totp');
    assert.deepEqual((await logins(h, supId)).at(-1), {
      result: 'allowed',
      detail: { method: 'totp_verify', secondFactor: 'totp' },
    });
    await page.getByRole('navigation', { name: 'Navigation principale' }).waitFor();
    await page.getByTestId('purpose-quality').check();
    await page.getByTestId('listen').click();
    await page.getByTestId('player').waitFor();
    await page.getByTestId('play').click();
    await page.waitForFunction(audioAdvanced);
    const played = (await h.accessLog.list({ action: 'play', limit: 10_000 })).filter(
      (e) => e.actor === supId && e.objectId === REC,
    );
    // The attempt made before the code (the previous step) was refused; every one since is allowed.
    assert.equal(played[0]?.result, 'denied');
    assert.ok(played.length >= 2, 'playback logged');
    assert.ok(
      played.slice(1).every((e) => e.result === 'allowed' && e.purpose === 'quality'),
      'allowed, for quality',
    );
  });

  it('the recordings list gives a failed recording its label, in French and in English', async () => {
    await page.goto(`${h.url}/recordings`);
    const row = page.getByRole('row').filter({ has: page.getByText('Échec (non enregistré)') });
    await row.waitFor();
    assert.equal(await row.count(), 1);
    assert.equal(
      await page.locator('#f-state option[value=failed]').textContent(),
      'Échec (non enregistré)',
      'and the state filter offers it',
    );
    await page.getByTestId('lang-en').click();
    await page
      .getByRole('row')
      .filter({ has: page.getByText('Failed (not recorded)') })
      .waitFor();
    await page.getByTestId('lang-fr').click();
    await page
      .getByRole('row')
      .filter({ has: page.getByText('Échec (non enregistré)') })
      .waitFor();
  });

  it('the administrator’s teams and integrations pages show what the API answers', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByLabel('Identifiant').fill('adam');
    await page.getByLabel('Mot de passe').fill('pw-adam');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByTestId('who').waitFor();
    const teams = await page.evaluate<{ id: string; name: string; agents: number }[]>(
      "fetch('/api/teams').then((r) => r.json())",
    );
    assert.deepEqual(teams, [{ id: 'teamA', name: 'Équipe A', agents: 1 }]);
    await page.goto(`${h.url}/admin/teams`);
    const row = page.getByRole('row').filter({ hasText: 'Équipe A' });
    await row.waitFor();
    assert.deepEqual(
      (await row.getByRole('cell').allTextContents()).map((s) => s.trim()),
      ['Équipe A', 'teamA', '1'],
    );

    const setup = await page.evaluate<{ siprec: { host: string; port: number } }>(
      "fetch('/api/integrations').then((r) => r.json())",
    );
    await page.goto(`${h.url}/admin/integrations`);
    await page.getByTestId('integ-siprec').waitFor();
    assert.match(
      (await page.getByTestId('integ-siprec').textContent()) ?? '',
      new RegExp(`${setup.siprec.host}:${setup.siprec.port}`),
    );
    const twilio = page.getByRole('row').filter({ hasText: 'Twilio Media Streams' });
    assert.deepEqual(
      (await twilio.getByRole('cell').allTextContents()).map((s) => s.trim()),
      ['Twilio Media Streams', '/ingest/twilio', 'Non configurés'],
    );
    await page.getByTestId('integ-calls').getByText('Total').waitFor(); // this node has a recorder
    await page.screenshot({ path: join(ARTIFACTS, 'admin-integrations.png') });
  });
  it('an SSO login refused for lack of a mapped role lands on the login page with the code, its message in French and English, and no personal data in the URL', async () => {
    // A fresh browser: no Ecoute session, no IdP session (the IdP would otherwise sign Sam in again).
    await h.browser.clearCookies();
    idp.next = { account: 'u-none', amr: ['pwd'] };
    const before = idp.logins;
    await page.goto(h.url);
    await page.locator('form[data-providers=known]').waitFor();
    await page.getByRole('link', { name: SSO_BUTTON }).click();
    const refusal = page.getByTestId('sso-error');
    await refusal.waitFor();
    assert.equal(idp.logins, before + 1, 'the browser went through the IdP');
    const url = new URL(page.url());
    assert.equal(url.pathname, '/login');
    assert.equal(url.search, '?error=ECOUTE_API_OIDC_NO_ROLE', 'the code only: no claim, name or token');
    assert.doesNotMatch(page.url(), /u-none|Nadia|Nobody|marketing|code=|state=/);
    const fr = (await refusal.textContent()) ?? '';
    assert.match(fr, /Connexion SSO refusée/);
    assert.match(fr, /ECOUTE_API_OIDC_NO_ROLE/);
    assert.match(fr, /aucun de ses groupes ne donne de rôle dans Ecoute/);
    assert.doesNotMatch(fr, /R-[A-Z]+-\d/, 'this refusal has no rule id');
    await page.screenshot({ path: join(ARTIFACTS, 'login-sso-refused.png') });
    await page.getByTestId('lang-en').click();
    await refusal.getByText('none of its groups gives a role in Ecoute', { exact: false }).waitFor();
    assert.match((await refusal.textContent()) ?? '', /SSO sign-in refused.*ECOUTE_API_OIDC_NO_ROLE/);
    await page.getByTestId('lang-fr').click();
    await refusal.getByText('Connexion SSO refusée').waitFor();

    // No session was opened, no account created; the refusal is in the access log as before.
    assert.equal(await page.evaluate<number>("fetch('/api/auth/me').then((r) => r.status)"), 401);
    assert.equal(await h.identity.byLogin('oidc:u-none'), undefined);
    assert.deepEqual((await logins(h, 'oidc:u-none')).at(-1), {
      result: 'denied',
      detail: { method: 'oidc', code: 'ECOUTE_API_OIDC_NO_ROLE' },
    });

    // The page is still the login page: a password login from it opens the console's home.
    await page.getByLabel('Identifiant').fill('adam');
    await page.getByLabel('Mot de passe').fill('pw-adam');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: /Bonjour/ }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
  });
});
