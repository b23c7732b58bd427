/**
 * The users page end to end, on the console e2e harness (the real API over SQLite, the hash-chained access
 * log, the built console, Debian's Chromium): an administrator changes a supervisor's teams, creates and
 * disables an account, and meets the last-administrator refusal; a role that may not administer accounts
 * has neither the link nor the page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, ROOT, startHarness, type Harness } from './harness.ts';

const REQUIRE = process.env.ECOUTE_TEST_REQUIRE_CHROMIUM === '1';
const skip = !chromiumAvailable() && !REQUIRE;
if (skip)
  console.log(
    '# SKIPPED users console e2e: /usr/bin/chromium is missing (set ECOUTE_TEST_REQUIRE_CHROMIUM=1 to fail instead)',
  );

/** The screenshots worth showing in the docs (docs/screenshots/), as console.test.ts does. */
const BEST = new Set(['admin-users']);

async function shot(page: Page, name: string): Promise<void> {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (BEST.has(name) && process.env.ECOUTE_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true });
    copyFileSync(file, join(ROOT, 'docs', 'screenshots', `${name}.png`));
  }
}

async function login(page: Page, url: string, user: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Identifiant').fill(user);
  await page.getByLabel('Mot de passe').fill(`pw-${user}`);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByTestId('who').waitFor();
}

interface ApiUser {
  id: string;
  login: string;
  roles: string[];
  teams: string[];
  disabled: boolean;
}

/** `GET /api/users` from the page, with the administrator's session cookie. */
const usersFromApi = (page: Page): Promise<ApiUser[]> =>
  page.evaluate<ApiUser[]>("fetch('/api/users').then((r) => r.json())");

describe('console users page in Chromium', { skip }, () => {
  let h: Harness;
  let page: Page;
  let sophie = '';
  let adam = '';

  before(async () => {
    h = await startHarness();
    await h.db.agents.upsertTeam('support', 'Support');
    await h.db.agents.upsertTeam('ventes', 'Ventes');
    adam = await h.addUser('adam', ['admin']);
    sophie = await h.addUser('sophie', ['supervisor'], {
      teams: ['support'],
      totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    });
    await h.addUser('aude', ['auditor']);
    page = await h.browser.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await h?.close();
  });

  it('R-SEC-1: the administrator’s navigation leads to the users, with roles, teams, second factor and status', async () => {
    await login(page, h.url, 'adam');
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Utilisateurs' })
      .click();
    await page.getByRole('heading', { name: 'Utilisateurs', level: 1 }).waitFor();
    const row = page.getByRole('row', { name: /sophie/ });
    await row.getByRole('cell', { name: 'Support', exact: true }).waitFor();
    assert.equal(await row.getByText('Superviseur').count(), 1);
    assert.equal(await row.getByText('Oui', { exact: true }).count(), 1, 'her second factor is enrolled');
    assert.equal(await row.getByText('Actif', { exact: true }).count(), 1);
  });

  it('R-MIN-3 / R-SEC-2: the administrator moves a supervisor to another team: kept after reload, served by the API, logged, her open session closed', async () => {
    const s = await h.identity.openSession(sophie);
    const me = (): Promise<number> =>
      fetch(`${h.url}/api/auth/me`, { headers: { cookie: `ecoute_session=${s.sessionId}` } }).then(
        (r) => r.status,
      );
    assert.equal(await me(), 200, 'the supervisor is signed in before the change');

    await page
      .getByRole('row', { name: /sophie/ })
      .getByRole('button', { name: 'Modifier' })
      .click();
    const form = page.getByTestId('edit-user');
    await form.getByRole('heading', { name: 'Modifier sophie' }).waitFor();
    assert.equal(await form.getByLabel('Superviseur').isChecked(), true);
    await form.getByLabel('Support').uncheck();
    await form.getByLabel('Ventes').check();
    await shot(page, 'admin-users');
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    await form.waitFor({ state: 'detached' });
    await page
      .getByRole('row', { name: /sophie/ })
      .getByRole('cell', { name: 'Ventes', exact: true })
      .waitFor();

    await page.reload();
    const row = page.getByRole('row', { name: /sophie/ });
    await row.getByRole('cell', { name: 'Ventes', exact: true }).waitFor();
    assert.equal(await row.getByRole('cell', { name: 'Support', exact: true }).count(), 0);
    await shot(page, 'admin-users-saved');

    const fromApi = (await usersFromApi(page)).find((u) => u.id === sophie);
    assert.deepEqual(fromApi?.teams, ['ventes']);
    assert.deepEqual(fromApi?.roles, ['supervisor'], 'only the teams changed');
    assert.deepEqual((await h.identity.byId(sophie))?.teams, ['ventes']);

    const logged = await h.accessLog.list({ limit: 10_000, action: 'user_admin', objectId: sophie });
    assert.equal(logged.length, 1, 'one access-log entry for the change');
    assert.deepEqual(
      [logged[0]!.actor, logged[0]!.result, JSON.parse(logged[0]!.detail) as unknown],
      [adam, 'allowed', { change: ['teams'] }],
    );
    assert.equal(await me(), 401, 'the change takes effect now: her session is closed');
  });

  it('the last administrator cannot lose the admin role: the refusal shows its code and nothing changes', async () => {
    await page.getByRole('row', { name: /adam/ }).getByRole('button', { name: 'Modifier' }).click();
    const form = page.getByTestId('edit-user');
    await form.getByText('C’est votre compte', { exact: false }).waitFor();
    await form.getByLabel('Auditeur').check();
    await form.getByLabel('Administrateur').uncheck();
    await form.getByRole('button', { name: 'Enregistrer' }).click();
    const err = form.getByTestId('error');
    await err.waitFor();
    const text = (await err.textContent()) ?? '';
    assert.match(text, /ECOUTE_API_LAST_ADMIN/);
    assert.match(text, /Il doit rester au moins un administrateur actif/);
    await shot(page, 'admin-users-refused');
    assert.deepEqual((await h.identity.byId(adam))?.roles, ['admin']);
    await form.getByRole('button', { name: 'Annuler' }).click();
    await form.waitFor({ state: 'detached' });
  });

  it('a local account is created (its one-time password shown once), then disabled; English one click away', async () => {
    const add = page.getByRole('form', { name: 'Ajouter un utilisateur' });
    await add.getByLabel('Identifiant', { exact: true }).fill('bruno');
    await add.getByLabel('Nom').fill('Bruno Petit');
    await add.getByLabel('Évaluateur').check();
    await add.getByLabel('Ventes').check();
    await add.getByRole('button', { name: 'Créer' }).click();
    const password = ((await add.getByTestId('user-password').textContent()) ?? '').trim();
    assert.ok(password.length >= 12, 'a one-time password is shown');
    const row = page.getByRole('row', { name: /bruno/ });
    await row.getByRole('cell', { name: 'Ventes', exact: true }).waitFor();
    const created = (await usersFromApi(page)).find((u) => u.login === 'bruno');
    assert.deepEqual([created?.roles, created?.teams], [['evaluator'], ['ventes']]);
    const login = await fetch(`${h.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bruno', password }),
    });
    assert.equal(login.status, 200, 'the one-time password opens the account');

    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Désactiver' }).click();
    await page.getByRole('row', { name: /bruno/ }).getByText('Désactivé', { exact: true }).waitFor();
    assert.equal((await h.identity.byLogin('bruno'))?.disabled, true);

    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await page.getByRole('row', { name: /bruno/ }).getByRole('button', { name: 'Re-enable' }).waitFor();
    await page.getByTestId('lang-fr').click();
    await page.getByRole('heading', { name: 'Utilisateurs', level: 1 }).waitFor();
  });

  it('R-SEC-1: a role that may not administer accounts has no link, and the page refuses without asking the API', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await login(page, h.url, 'aude');
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: "Journal d'accès" }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Utilisateurs' }).count(), 0);
    const before = await h.accessLog.list({ limit: 10_000, action: 'user_admin' });
    await page.goto(`${h.url}/admin/users`);
    await page.getByRole('alert').filter({ hasText: 'Page réservée aux administrateurs' }).waitFor();
    assert.equal(await page.getByRole('table').count(), 0);
    const afterVisit = await h.accessLog.list({ limit: 10_000, action: 'user_admin' });
    assert.equal(afterVisit.length, before.length, 'no user administration was attempted');
  });
});
