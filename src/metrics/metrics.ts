/**
 * Prometheus metrics of a node (prom-client, its own registry so tests and several apps in one process
 * never share counters). Counters are pushed by hooks (the recorder's decisions, media losses); gauges are
 * read when scraped (active calls, spool bytes, job lag, purge backlog). Labels carry no personal data
 * and no agent: these figures measure the system, never an agent's work (R-SEC-3).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';

/** The hook the recorder calls; everything else about a call stays out of metrics. */
export interface RecorderMetrics {
  /** One admission decision: outcome and its anonymous reason code (e.g. 'sampled_out', 'R-PUR-3'). */
  decision(outcome: 'recorded' | 'not_recorded', reason: string): void;
  /**
   * Media that never arrived: RTP packets the receive workers gave up on (sequence gaps played out as
   * silence, batched per call by the RTP engine), WebSocket timestamp gaps in 20 ms packets.
   */
  packetsLost(count: number): void;
}

export interface MetricsSources {
  readonly nodeId: string;
  readonly clock: Clock;
  readonly db: Kysely<Database>;
  /** Calls being recorded on this node. */
  readonly activeCalls: () => number;
  /** The vault's spool directory (absent on nodes without ingest). */
  readonly spoolDir?: string;
  /** Node's default process metrics (CPU, memory, event-loop lag); default true. */
  readonly processMetrics?: boolean;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0; // no spool yet
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else if (e.isFile())
      total += await stat(p).then(
        (s) => s.size,
        () => 0,
      );
  }
  return total;
}

export class EcouteMetrics implements RecorderMetrics {
  readonly registry = new Registry();
  readonly #decisions: Counter<'outcome' | 'reason'>;
  readonly #lost: Counter;
  readonly #clusterRejected: Counter<'kind'>;

  constructor(src: MetricsSources) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ node: src.nodeId });
    if (src.processMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'ecoute_process_' });
    this.#decisions = new Counter({
      name: 'ecoute_decisions_total',
      help: 'Admission decisions by outcome and anonymous reason code (R-MIN-4: no call or agent label).',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.#lost = new Counter({
      name: 'ecoute_packets_lost_total',
      help: 'Media packets that never arrived: RTP sequence gaps, WebSocket timestamp gaps (in 20 ms packets).',
      registers,
    });
    this.#clusterRejected = new Counter({
      name: 'ecoute_cluster_rejected_total',
      help: 'Messages from NATS dropped unplayed and unlisted: not sealed or signed by a node of this cluster, stale or replayed (kind: live_forged, calls_replayed, control_signature…; no call or agent label).',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({
      name: 'ecoute_calls_active',
      help: 'Calls being recorded on this node.',
      registers,
      collect() {
        this.set(src.activeCalls());
      },
    });
    const spoolDir = src.spoolDir;
    new Gauge({
      name: 'ecoute_spool_bytes',
      help: 'Bytes of encrypted spool on this node’s disk (calls in progress and not yet sealed).',
      registers,
      async collect() {
        this.set(spoolDir ? await dirBytes(spoolDir) : 0);
      },
    });
    new Gauge({
      name: 'ecoute_job_lag_seconds',
      help: 'Age of the oldest job due and still queued (0 when none waits).',
      registers,
      async collect() {
        const now = src.clock.now();
        const row = await src.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.min('runAt').as('oldest'))
          .where('state', '=', 'queued')
          .where('runAt', '<=', now)
          .executeTakeFirst();
        const oldest = row?.oldest === null || row?.oldest === undefined ? now : Number(row.oldest);
        this.set(Math.max(0, (now - oldest) / 1000));
      },
    });
    new Gauge({
      name: 'ecoute_purge_backlog',
      help: 'Recordings past expiresAt, not on legal hold, not yet shredded (R-RET-1..4).',
      registers,
      async collect() {
        const row = await src.db
          .selectFrom('recordings')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('expiresAt', '<=', src.clock.now())
          .where('state', 'in', ['sealed', 'interrupted'])
          .where('legalHoldId', 'is', null)
          .executeTakeFirst();
        this.set(Number(row?.n ?? 0));
      },
    });
  }

  decision(outcome: 'recorded' | 'not_recorded', reason: string): void {
    this.#decisions.inc({ outcome, reason });
  }

  packetsLost(count: number): void {
    if (count > 0) this.#lost.inc(count);
  }

  /** A message from NATS was dropped (src/cluster: nats.relay.ts, cluster.control.ts). */
  clusterRejected(kind: string): void {
    this.#clusterRejected.inc({ kind });
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
