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
}

export interface Service {
  readonly name: string;
  readonly plugins?: readonly FastifyPluginAsync[];
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** The SIPREC recording server: SIP over UDP/TCP/TLS, RTP in worker threads (issue 4). */
async function siprecService(ctx: ServiceContext): Promise<Service> {
  const { config, recorder, clock, log, policies } = ctx;
  const { RtpEngine } = await import('./capture/rtp/rtp.engine.ts');
  const { SipServer } = await import('./capture/siprec/sip.server.ts');
  const { SiprecRecorder } = await import('./capture/siprec/siprec.recorder.ts');
  const { loadTrunksFile } = await import('./capture/siprec/trunk.config.ts');
  const trunks = config.sip.trunksFile ? loadTrunksFile(config.sip.trunksFile) : [];
  const rtp = new RtpEngine({ portMin: config.rtp.portMin, portMax: config.rtp.portMax, workers: config.rtp.workers });
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

export async function extraServices(ctx: ServiceContext): Promise<Service[]> {
  const services: Service[] = [];
  if (ctx.config.roles.includes('ingest')) {
    services.push(await siprecService(ctx));
    services.push(await websocketIngest(ctx));
  }
  return services;
}
