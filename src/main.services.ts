/**
 * The parts a node runs beside the API, by role (config `roles`): capture (SIPREC server and RTP workers,
 * WebSocket ingest endpoints) and jobs. Each is a Service: plugins for the HTTP server, and start/stop.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from './config/config.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './log.ts';
import type { Db } from './db/index.ts';
import type { Vault } from './vault/vault.ts';
import type { Recorder } from './capture/recorder.ts';
import type { LiveHub } from './capture/live.hub.ts';
import type { PolicySource } from './capture/policy.source.ts';
import type { NumberProtection } from './capture/numbers.ts';
import type { AccessLog } from './audit/access-log.ts';
import type { WebhookService } from './webhooks/webhook.service.ts';
import type { NodeIdentity } from './cluster/node.ts';
import type { ClusterCalls } from './cluster/cluster.calls.ts';
import type { EcouteMetrics } from './metrics/metrics.ts';

export interface ServiceContext {
  readonly config: Config;
  readonly db: Db;
  readonly vault: Vault;
  readonly clock: Clock;
  readonly log: Logger;
  readonly recorder: Recorder;
  readonly live: LiveHub;
  readonly policies: PolicySource;
  readonly numbers: NumberProtection;
  readonly accessLog: AccessLog;
  /** This node in the cluster (id in job leases, roles). */
  readonly node: NodeIdentity;
  readonly metrics: EcouteMetrics;
  /** Calls in progress on every node, for live listing and listening (local hub or NATS). */
  readonly cluster: ClusterCalls;
  readonly webhooks: WebhookService;
  /** Subscribes to the recorder's sealed events (analytics jobs). */
  readonly onSealed: (fn: (recordingId: string) => void) => void;
}

export interface Service {
  readonly name: string;
  readonly plugins?: readonly FastifyPluginAsync[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** The SIPREC recording server: SIP over UDP/TCP/TLS, RTP in worker threads (issue 4). */
async function siprecService(ctx: ServiceContext): Promise<Service> {
  const { config, recorder, clock, log, policies, metrics } = ctx;
  const { RtpEngine } = await import('./capture/rtp/rtp.engine.ts');
  const { SipServer } = await import('./capture/siprec/sip.server.ts');
  const { SiprecRecorder } = await import('./capture/siprec/siprec.recorder.ts');
  const { loadTrunksFile } = await import('./capture/siprec/trunk.config.ts');
  const trunks = config.sip.trunksFile ? loadTrunksFile(config.sip.trunksFile) : [];
  const rtp = new RtpEngine({
    portMin: config.rtp.portMin,
    portMax: config.rtp.portMax,
    workers: config.rtp.workers,
    metrics,
  });
  const handler = new SiprecRecorder({
    recorder,
    rtp,
    trunks,
    clock,
    log,
    mediaAddress: config.sip.mediaAddress,
    objectionKey: () => policies.current()?.file.notices.caller.objectionKey,
  });
  const sip = new SipServer({ config: config.sip, handler, log });
  handler.attach((id) => sip.sendBye(id));
  return {
    name: 'siprec',
    async start() {
      await rtp.start();
      await sip.listen();
      log.info({ ports: sip.ports() }, 'siprec server listening');
    },
    async stop() {
      await sip.close();
      await rtp.stop();
    },
  };
}

/** Twilio Media Streams, Genesys AudioHook, jambonz / mod_audio_fork over WebSocket (issue 5). */
async function websocketIngest(ctx: ServiceContext): Promise<Service> {
  const { registerIngest } = await import('./capture/ws/ingest.routes.ts');
  const plugin: FastifyPluginAsync = (app) =>
    registerIngest(app, ctx.config, { sink: ctx.recorder, clock: ctx.clock, log: ctx.log });
  return { name: 'websocket-ingest', plugins: [plugin] };
}

/**
 * The jobs of a node with the `jobs` role: retention (R-RET-1..6, hourly, once per period across nodes),
 * analytics after sealing, webhook deliveries. Claimed through the database with leases, so several nodes
 * share the queue. Also the DPO's services behind the API: holds, data-subject requests, documents.
 */
async function dpoServices(ctx: ServiceContext): Promise<Service> {
  const { config, db, vault, clock, log, policies, numbers, accessLog } = ctx;
  const { hostname } = await import('node:os');
  const { Scheduler } = await import('./jobs/scheduler.ts');
  const { dpoPlugins } = await import('./dpo/dpo.plugins.ts');
  const { RETENTION_JOB, retentionHandler } = await import('./jobs/retention.job.ts');
  const { ANALYTICS_JOB, analyticsJob } = await import('./analytics/analytics.job.ts');

  const scheduler = new Scheduler({ jobs: db.jobs, clock, log, owner: `${hostname()}:${process.pid}` });
  const { webhooks } = ctx;
  const { deletion, plugins } = dpoPlugins({
    config,
    db,
    vault,
    clock,
    log,
    policies,
    numbers,
    accessLog,
    onDeleted: (recordingId, rule, what) => webhooks.notify('recording.deleted', { recordingId, rule, what }),
  });
  scheduler.register(
    RETENTION_JOB,
    retentionHandler({
      db,
      deletion,
      clock,
      log,
      batchSize: config.retention.batchSize,
      onAlert: (a) => log.warn({ kind: a.kind }, 'legal hold past its review date'),
    }),
    { everyMs: 3_600_000 },
  );
  scheduler.register(ANALYTICS_JOB, analyticsJob({ db, vault, clock }));
  // R-DSR-3: a data-subject request past its due date is announced once a day (webhook `request.due`).
  scheduler.register(
    'rights.due',
    async () => {
      for (const r of await db.dsr.overdue(clock.now()))
        webhooks.notify('request.due', { requestId: r.id, kind: r.kind, dueAt: r.dueAt });
    },
    { everyMs: 86_400_000 },
  );
  ctx.webhooks.register(scheduler);
  ctx.onSealed((recordingId) => void scheduler.enqueue(ANALYTICS_JOB, { recordingId }));
  const runsJobs = config.roles.includes('jobs');
  return {
    name: 'dpo-and-jobs',
    plugins,
    start() {
      if (runsJobs) scheduler.start(5_000);
      return Promise.resolve();
    },
    stop: () => scheduler.stop(),
  };
}

export async function extraServices(ctx: ServiceContext): Promise<Service[]> {
  const services: Service[] = [];
  services.push(await dpoServices(ctx));
  if (ctx.config.roles.includes('ingest')) {
    services.push(await siprecService(ctx));
    services.push(await websocketIngest(ctx));
  }
  return services;
}
