/**
 * The console end to end: the real API (buildApp over a real SQLite file, the real access log and a real
 * vault on the filesystem), the built console (web/dist) served by consolePlugin, and Debian's Chromium
 * driven by playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type BrowserContext } from 'playwright-core';
import { openDatabase, type Db } from '../../../src/db/index.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { silentLogger } from '../../../src/log.ts';
import { systemClock } from '../../../src/clock.ts';
import { AccessLog } from '../../../src/audit/access-log.ts';
import { buildApp } from '../../../src/api/app.ts';
import { IdentityStore } from '../../../src/api/auth/identity.store.ts';
import { hashPassword } from '../../../src/api/auth/password.ts';
import { consolePlugin } from '../../../src/api/console/console.routes.ts';
import { vaultAt } from '../../../src/vault/testing/vault.fixture.ts';
import type { Vault } from '../../../src/vault/vault.ts';
import type { Role } from '../../../src/api/access/roles.ts';
import { LiveHub } from '../../../src/capture/live.hub.ts';
import { PolicySource } from '../../../src/capture/policy.source.ts';
import { Recorder } from '../../../src/capture/recorder.ts';
import { numberProtection } from '../../../src/capture/numbers.ts';
import { EventLog, fixedDraw } from '../../../src/capture/testing/recorder.harness.ts';
import type { CallEventsSink } from '../../../src/capture/active-call.ts';
import { dpoPlugins } from '../../../src/dpo/dpo.plugins.ts';
import { auditEvents } from '../../../src/audit/recorder.events.ts';
import { WebhookService } from '../../../src/webhooks/webhook.service.ts';
import { WebhookEndpoints } from '../../../src/webhooks/endpoints.ts';
import { tempDir } from '../../support/tmp.ts';
import { attachSiprec, type SiprecAttachment } from '../siprec/stack.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = new URL('../../../', import.meta.url).pathname;
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

export interface Harness {
  readonly url: string;
  readonly db: Db;
  readonly vault: Vault;
  readonly accessLog: AccessLog;
  readonly identity: IdentityStore;
  readonly browser: BrowserContext;
  /** The recorder, live hub and policies in force, wired into the API as src/main.ts does. */
  readonly recorder: Recorder;
  readonly live: LiveHub;
  readonly policies: PolicySource;
  /** Every recorder event, awaitable (a copy of what goes to the access log). */
  readonly events: EventLog;
  /** The SIPREC front (SIP + RTP) on the harness's recorder, started on first call, closed with the harness. */
  siprec(): Promise<SiprecAttachment>;
  addUser(
    login: string,
    roles: Role[],
    opts?: { teams?: string[]; agentId?: string; totpSecret?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

/** Builds web/dist if it is missing or stale (the same script `npm install` runs). */
export function buildConsole(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('console build failed');
}

/**
 * When buildApp does not yet register consolePlugin itself, a front server serves the console and hands
 * /api to the real app through inject(): one origin, as in production, without touching buildApp.
 */
async function front(api: FastifyInstance): Promise<FastifyInstance> {
  const f = Fastify();
  f.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await f.register(consolePlugin);
  f.all('/api/*', async (req, reply) => {
    const res = await api.inject({
      method: req.method as 'GET',
      url: req.url,
      headers: req.headers,
      ...(req.body !== undefined ? { payload: req.body as Buffer } : {}),
    });
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined || k === 'content-length' || k === 'transfer-encoding' || k === 'connection')
        continue;
      void reply.header(k, v);
    }
    return reply.code(res.statusCode).send(res.rawPayload);
  });
  return f;
}

export interface HarnessOptions {
  /**
   * Configuration that must name the harness's own address (the SSO redirect URL registered at the IdP):
   * the HTTP server then listens before the app is built, and hands requests to it once it is ready.
   * HTTP only: WebSocket upgrades (live listening) reach the app's own server, which does not listen.
   */
  readonly config?: (url: string) => Record<string, unknown>;
}

/** A loopback HTTP server whose address is known before the app it serves exists. */
async function listenFirst(): Promise<{
  url: string;
  serve(app: FastifyInstance): void;
  close(): Promise<void>;
}> {
  let handle = (_req: IncomingMessage, res: ServerResponse): void => void res.writeHead(503).end();
  const s = createServer((req, res) => handle(req, res));
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    // Fastify's own request handler (the whole lifecycle: hooks, guard, schemas), on this server.
    serve: (app) => (handle = (req, res) => app.routing(req, res)),
    close: () =>
      new Promise<void>((ok) => {
        s.close(() => ok());
        s.closeAllConnections();
      }),
  };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  buildConsole();
  const early = opts.config ? await listenFirst() : undefined;
  const tmp = tempDir('ecoute-console-e2e-');
  const db = await openDatabase({ sqliteFile: join(tmp.path, 'ecoute.sqlite') });
  const k = db.kysely;
  const accessLog = new AccessLog({
    db: k,
    dialect: 'sqlite',
    clock: systemClock,
    checkpointKey: randomBytes(32),
    retentionDays: 365,
  });
  const { vault, keyRing } = vaultAt(join(tmp.path, 'vault'));
  const config = loadConfig({
    env: {},
    overrides: {
      'log.level': 'silent',
      dataDir: tmp.path,
      ...(early && opts.config ? opts.config(early.url) : {}),
    },
  });
  const policies = new PolicySource();
  const numbers = await numberProtection(keyRing);
  const live = new LiveHub();
  const events = new EventLog();
  let siprec: Promise<SiprecAttachment> | undefined;
  // The recorder as src/main.ts builds it; the draw is the named fake of recorder.harness.ts (always
  // sampled) so a 5 % policy records the test's call; events go to the access log like main.ts's sink.
  const recorder = new Recorder({
    db,
    vault,
    clock: systemClock,
    log: silentLogger,
    rng: fixedDraw(),
    policies,
    numbers,
    live,
    events: tee(auditEvents(accessLog, silentLogger), events),
  });
  const deps = { config, db, vault, clock: systemClock, log: silentLogger, policies, numbers, accessLog };
  // As src/main.ts: the API's own routes, then the plugins of the node's services (here the DPO's).
  const app = await buildApp({
    config,
    db: k,
    dialect: 'sqlite',
    clock: systemClock,
    log: silentLogger,
    accessLog,
    audio: { open: (id) => vault.openReader(id) },
    recorder,
    live,
    policies,
    numbers,
    // As src/main.ts; no scheduler runs here, so deliveries stay queued (the console only manages endpoints).
    webhooks: new WebhookService({
      endpoints: new WebhookEndpoints(db.settings, systemClock),
      jobs: db.jobs,
      clock: systemClock,
      log: silentLogger,
    }),
    plugins: dpoPlugins(deps).plugins,
  });
  const servesConsole = String((await app.inject({ url: '/' })).headers['content-type']).includes(
    'text/html',
  );
  const server = servesConsole ? app : await front(app);
  let address: string;
  if (early) {
    await server.ready();
    early.serve(server);
    address = early.url;
  } else address = await server.listen({ port: 0, host: '127.0.0.1' });
  const identity = new IdentityStore(k, systemClock);

  const profile = join(tmp.path, 'chromium-profile');
  mkdirSync(profile);
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--lang=fr-FR',
    ],
    viewport: { width: 1360, height: 860 },
    locale: 'fr-FR',
  });
  mkdirSync(ARTIFACTS, { recursive: true });

  return {
    url: address,
    db,
    vault,
    accessLog,
    identity,
    browser,
    recorder,
    live,
    policies,
    events,
    siprec() {
      siprec ??= attachSiprec({ recorder, policies, clock: systemClock, dir: tmp.path });
      return siprec;
    },
    async addUser(login, roles, opts = {}) {
      const u = await identity.create({
        login,
        displayName: login[0]!.toUpperCase() + login.slice(1),
        passwordHash: await hashPassword(`pw-${login}`, { N: 1024 }),
        roles,
        teams: opts.teams ?? [],
        agentId: opts.agentId,
      });
      if (opts.totpSecret) await identity.setTotp(u.id, opts.totpSecret, true);
      return u.id;
    },
    async close() {
      await browser.close().catch(() => undefined);
      if (siprec) await (await siprec).close();
      await Promise.all([...recorder.active.keys()].map((id) => recorder.close(id, 'error')));
      await early?.close();
      await server.close();
      if (server !== app) await app.close();
      await db.close();
      tmp.remove();
    },
  };
}

/** Both sinks see every event, in order (the access log as in src/main.ts, and the test's own log). */
function tee(a: CallEventsSink, b: CallEventsSink): CallEventsSink {
  return {
    action(callId, action, detail) {
      a.action(callId, action, detail);
      b.action(callId, action, detail);
    },
    sealed(recordingId, callId, info) {
      a.sealed(recordingId, callId, info);
      b.sealed(recordingId, callId, info);
    },
    destroyed(recordingId, callId, rule) {
      a.destroyed(recordingId, callId, rule);
      b.destroyed(recordingId, callId, rule);
    },
    failed(recordingId, callId, error) {
      a.failed(recordingId, callId, error);
      b.failed(recordingId, callId, error);
    },
  };
}

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);
