/**
 * What the composition root needs from the cluster layer, in two calls: `nodeMetrics` before the recorder
 * (which takes the metrics hook), `joinCluster` after it (the relay reads the recorder's active calls).
 * Without ECOUTE_NATS_URL the node runs alone: ClusterCalls lists and serves local calls only. With it,
 * the node also answers call control for its calls from other nodes (cluster.control.ts); control, live
 * audio and announcements are keyed with the cluster keys derived from the shared key store and master
 * key (control.key.ts).
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { LiveHub } from '../capture/live.hub.ts';
import type { Recorder } from '../capture/recorder.ts';
import type { KeyRing } from '../vault/keyring.ts';
import { EcouteMetrics } from '../metrics/metrics.ts';
import { ClusterCalls, localCallsOf } from './cluster.calls.ts';
import { ClusterControl } from './cluster.control.ts';
import { clusterKeys } from './control.key.ts';
import { NatsRelay, type ClusterMetrics } from './nats.relay.ts';
import type { NodeIdentity } from './node.ts';

export function nodeMetrics(
  config: Config,
  node: NodeIdentity,
  deps: { readonly db: Kysely<Database>; readonly clock: Clock; readonly activeCalls: () => number },
): EcouteMetrics {
  return new EcouteMetrics({
    nodeId: node.id,
    clock: deps.clock,
    db: deps.db,
    activeCalls: deps.activeCalls,
    ...(node.roles.includes('ingest') ? { spoolDir: join(config.dataDir, 'spool') } : {}),
  });
}

export interface Cluster {
  readonly calls: ClusterCalls;
  readonly relay: NatsRelay | undefined;
  close(): Promise<void>;
}

export async function joinCluster(
  config: Config,
  deps: {
    readonly node: NodeIdentity;
    readonly log: Logger;
    readonly clock: Clock;
    readonly live: LiveHub;
    readonly recorder: Recorder;
    /** The vault's key ring: the cluster keys derive from a service key in its store. */
    readonly keyRing: Pick<KeyRing, 'dataKey' | 'createDataKey'>;
    /** Counts messages dropped from NATS (ecoute_cluster_rejected_total). */
    readonly metrics?: ClusterMetrics | undefined;
  },
): Promise<Cluster> {
  const local = localCallsOf(deps.recorder, deps.node.id);
  const url = config.nats.url;
  const keys = url ? await clusterKeys(deps.keyRing) : undefined;
  const relay =
    url && keys
      ? await NatsRelay.connect({
          url,
          auth: config.nats,
          nodeId: deps.node.id,
          log: deps.log,
          clock: deps.clock,
          localCalls: local,
          keys,
          metrics: deps.metrics,
        })
      : undefined;
  let control: ClusterControl | undefined;
  if (relay && keys) {
    deps.live.setRelay(relay);
    control = new ClusterControl({
      nodeId: deps.node.id,
      transport: relay,
      key: keys.control,
      calls: deps.recorder,
      log: deps.log,
      metrics: deps.metrics,
      clock: deps.clock,
      timeoutMs: config.nats.controlTimeoutMs,
    });
    control.start();
    await relay.flush(); // the control subject is served before the node takes calls (services start later)
    deps.log.info({ node: deps.node.id, roles: deps.node.roles }, 'joined the cluster over NATS');
  }
  return {
    calls: new ClusterCalls({ nodeId: deps.node.id, hub: deps.live, local, relay, control }),
    relay,
    async close() {
      control?.stop();
      deps.live.setRelay(undefined);
      await relay?.close();
    },
  };
}
