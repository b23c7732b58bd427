/**
 * The composition root (STYLE.md §4): the only place that builds adapters and hands them out.
 * `startEcoute(config)` runs everything the node's roles ask for: API and console, capture (SIPREC, the
 * WebSocket ingest endpoints), and jobs, on the embedded default (SQLite, local files) or at scale.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { join } from 'node:path';
import type { Config } from './config/config.ts';
import { systemClock, type Clock } from './clock.ts';
import { createLogger, type Logger } from './log.ts';
import { openDatabaseFromConfig, type Db } from './db/index.ts';
import { createVault } from './vault/vault.factory.ts';
import { loadLocalMasterKey, KeyRing } from './vault/keyring.ts';
import type { Vault } from './vault/vault.ts';
import { AccessLog } from './audit/access-log.ts';
import { checkpointKey } from './audit/checkpoint-key.ts';
import { buildApp } from './api/app.ts';
import { cryptoRng } from './random.ts';
import { LiveHub } from './capture/live.hub.ts';
import { numberProtection, type NumberProtection } from './capture/numbers.ts';
import { PolicySource } from './capture/policy.source.ts';
import { Recorder } from './capture/recorder.ts';
import type { CallEventsSink } from './capture/active-call.ts';
import { auditEvents } from './audit/recorder.events.ts';
import { firstAdmin } from './first-admin.ts';
import { extraServices, type Service } from './main.services.ts';
import { WebhookService, teeCallEvents, webhookCallEvents } from './webhooks/webhook.service.ts';
import { WebhookEndpoints } from './webhooks/endpoints.ts';
import { nodeIdentity } from './cluster/node.ts';
import { joinCluster, nodeMetrics } from './cluster/cluster.wiring.ts';
import { buildEdgeApp } from './cluster/edge.app.ts';
import { metricsRoutes } from './metrics/metrics.routes.ts';

export interface Running {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly vault: Vault;
  readonly recorder: Recorder;
  readonly policies: PolicySource;
  /** Resolves when the process has stopped serving. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Print once to stdout (the first admin's one-time password); default process.stdout. */
  readonly print?: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers (default true; tests say false). */
  readonly signals?: boolean;
}

export async function startEcoute(config: Config, opts: StartOptions = {}): Promise<Running> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? createLogger(config.log.level);
  const print = opts.print ?? ((l: string) => void process.stdout.write(`${l}\n`));
  const db = await openDatabaseFromConfig(config, clock);
  const masterKey = await loadLocalMasterKey({ masterKey: config.vault.masterKey, dataDir: config.dataDir });
  const vault = await createVault(config, { keyStore: db.dataKeys, masterKey, clock, log });
  const serviceKeys = new KeyRing({ current: masterKey, keyStore: db.dataKeys });
  const numbers: NumberProtection = await numberProtection(serviceKeys);
  const accessLog = new AccessLog({
    db: db.kysely,
    dialect: db.dialect,
    clock,
    checkpointKey: await checkpointKey(config, {
      dialect: db.dialect,
      keyRing: () => Promise.resolve(serviceKeys),
    }),
    retentionDays: config.audit.retentionDays,
  });
  const policies = new PolicySource();
  // The policy file last activated through the API (settings `policies.file`) wins over the file on disk.
  const activated = await db.settings.get<unknown>('policies.file');
  if (activated !== undefined) policies.set(activated);
  else if (config.policyFile) policies.loadFile(config.policyFile);
  else log.warn({}, 'no policy file configured: nothing is recorded until a policy is activated');
  const live = new LiveHub();
  // Scale-out (issue 10): this node's identity, its Prometheus metrics, and live calls across nodes.
  const node = nodeIdentity(config.roles);
  const metrics = nodeMetrics(config, node, {
    db: db.kysely,
    clock,
    activeCalls: () => recorder.active.size,
  });
  const webhooks = new WebhookService({
    endpoints: new WebhookEndpoints(db.settings, clock),
    jobs: db.jobs,
    clock,
    log,
  });
  const sealedListeners: ((recordingId: string) => void)[] = [];
  const onSealed: CallEventsSink = {
    action: () => undefined,
    sealed: (recordingId) => sealedListeners.forEach((fn) => fn(recordingId)),
    destroyed: () => undefined,
    failed: () => undefined,
  };
  const events = teeCallEvents(auditEvents(accessLog, log), webhookCallEvents(webhooks), onSealed);
  const recorder = new Recorder({
    db,
    vault,
    clock,
    log,
    rng: cryptoRng(),
    policies,
    numbers,
    live,
    events,
    metrics,
  });
  const cluster = await joinCluster(config, {
    node,
    log,
    clock,
    live,
    recorder,
    keyRing: serviceKeys,
    metrics,
  });

  const ctx = {
    config,
    db,
    vault,
    clock,
    log,
    recorder,
    live,
    policies,
    numbers,
    accessLog,
    node,
    metrics,
    cluster: cluster.calls,
    webhooks,
    onSealed: (fn: (recordingId: string) => void) => void sealedListeners.push(fn),
  };
  const services: Service[] = await extraServices(ctx);
  // The spool is this node's disk. After the services, so that their `sealed` listeners (the analytics
  // job) see the recordings recovered from a crash, as they see the ones sealed at the end of a call.
  if (config.roles.includes('ingest')) await recorder.recover();
  const plugins: FastifyPluginAsync[] = [metricsRoutes(metrics), ...services.flatMap((s) => s.plugins ?? [])];
  const probes = [async () => void (await db.settings.all())];
  // Without the api role only the ingest endpoints (and health, readiness, metrics) are served.
  const edgePlugins = [
    metricsRoutes(metrics),
    ...services.filter((s) => s.name === 'websocket-ingest').flatMap((s) => s.plugins ?? []),
  ];
  const app = !config.roles.includes('api')
    ? await buildEdgeApp({ log, plugins: edgePlugins, probes })
    : await buildApp({
        config,
        db: db.kysely,
        dialect: db.dialect,
        clock,
        log,
        accessLog,
        audio: { open: (id) => vault.openReader(id) },
        recorder,
        live,
        policies,
        numbers,
        webhooks,
        cluster: cluster.calls,
        plugins,
        probes,
      });
  await firstAdmin(db.kysely, clock, print);
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  for (const s of services) await s.start?.();

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const s of [...services].reverse())
        await s.stop?.().catch((e: unknown) => log.error({ err: e }, 'service stop failed'));
      await app.close();
      await Promise.all([...recorder.active.keys()].map((id) => recorder.close(id, 'error')));
      vault.close();
      await cluster.close();
      await db.close();
      resolveClosed();
    })());
  if (opts.signals !== false)
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void close());
  return { url, app, db, vault, recorder, policies, closed, close };
}

export const dataPath = (config: Config, ...parts: string[]): string => join(config.dataDir, ...parts);

/**
 * The recorder alone, for `ecoute import`: the same store, vault, policy and decision as the server,
 * without listening on anything.
 */
export async function openCaptureSink(config: Config): Promise<{ sink: Recorder; close(): Promise<void> }> {
  const clock = systemClock;
  const log = createLogger(config.log.level === 'info' ? 'warn' : config.log.level);
  const db = await openDatabaseFromConfig(config, clock);
  const masterKey = await loadLocalMasterKey({ masterKey: config.vault.masterKey, dataDir: config.dataDir });
  const vault = await createVault(config, { keyStore: db.dataKeys, masterKey, clock, log });
  const serviceKeys = new KeyRing({ current: masterKey, keyStore: db.dataKeys });
  const numbers = await numberProtection(serviceKeys);
  const policies = new PolicySource();
  if (config.policyFile) policies.loadFile(config.policyFile);
  const accessLog = new AccessLog({
    db: db.kysely,
    dialect: db.dialect,
    clock,
    checkpointKey: await checkpointKey(config, {
      dialect: db.dialect,
      keyRing: () => Promise.resolve(serviceKeys),
    }),
    retentionDays: config.audit.retentionDays,
  });
  const recorder = new Recorder({
    db,
    vault,
    clock,
    log,
    rng: cryptoRng(),
    policies,
    numbers,
    live: new LiveHub(),
    events: auditEvents(accessLog, log),
  });
  return {
    sink: recorder,
    close: async () => {
      vault.close();
      await db.close();
    },
  };
}
