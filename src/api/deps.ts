import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { AccessLog } from '../audit/access-log.ts';
import type { AudioSource } from './recordings/audio.ts';
import type { Recorder } from '../capture/recorder.ts';
import type { LiveHub } from '../capture/live.hub.ts';
import type { PolicySource } from '../capture/policy.source.ts';
import type { NumberProtection } from '../capture/numbers.ts';
import type { WebhookService } from '../webhooks/webhook.service.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { ClusterCalls } from '../cluster/cluster.calls.ts';

/** Everything the HTTP edge uses, built by src/main.ts (STYLE.md §4). */
export interface ApiDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly clock: Clock;
  readonly log: Logger;
  readonly accessLog: AccessLog;
  /** Plaintext audio of sealed recordings (the vault); absent on nodes that do not serve playback. */
  readonly audio?: AudioSource;
  /** Readiness probes (database, blob store); each throws when its dependency is down. */
  readonly probes?: readonly (() => Promise<void>)[];
  /**
   * Further plugins registered by the composition root after the API's own (the console, the WebSocket
   * ingest endpoints, the public notice pages). Each declares `config.access` on its routes like any other.
   */
  readonly plugins?: readonly FastifyPluginAsync[];
  /** Calls being recorded on this node (live list, listening, call control); absent on API-only nodes. */
  readonly recorder?: Recorder;
  /** Live audio fan-out the listening WebSocket subscribes to (R-EMP-6). */
  readonly live?: LiveHub;
  /** The policies in force (GET/activate/retire, campaigns of an agent R-EMP-3). */
  readonly policies?: PolicySource;
  /** Keyed hash of customer numbers, for the exact-match search (R-DSR-1); never logs the number. */
  readonly numbers?: NumberProtection;
  /** Outgoing webhooks (endpoints admin); deliveries run as jobs. */
  readonly webhooks?: WebhookService;
  /** Calls in progress on every node (NATS); absent: this node's recorder only. */
  readonly cluster?: ClusterCalls;
  /** Serve the console from web/dist under `/` (default true). */
  readonly console?: boolean;
}
