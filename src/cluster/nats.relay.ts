/**
 * Live listening across nodes over NATS (DESIGN.md "One machine, then many"). A call's media stays on the
 * node that receives it: that node publishes each block on `ecoute.live.<callId>` and announces its calls
 * on `ecoute.calls.live`. A node whose listener asks for a call it does not hold subscribes to the call's
 * subject only while someone listens, and feeds its own listeners. The access check and the access log
 * happen where the listener connects (the API, R-SEC-2); NATS only carries audio that was already allowed
 * to reach live listeners (after the pause gate, R-PCI-1). Close notices travel on the same subject, in
 * order with the audio, so an objection (R-CAL-2) or a pause (R-PCI-1) disconnects remote listeners too.
 * The same connection carries call control between nodes (request/reply, cluster.control.ts).
 *
 * Nothing crosses in clear (R-SEC-4, sealed.wire.ts): audio and close notices are sealed with the cluster's
 * live key for their call's subject, announcements with its calls key. A receiver drops, counts
 * (`ecoute_cluster_rejected_total{kind}`) and never plays or lists a message that does not open, whose
 * time is more than CLOCK_TOLERANCE_MS from its clock, or whose sequence is not above the last one it
 * accepted from that sender (per call for audio, per node for announcements): a client of the NATS server
 * without the master key can neither hear a call, nor inject or replay audio, nor announce a call.
 */
import { readFile } from 'node:fs/promises';
import {
  connect,
  credsAuthenticator,
  errors as natsErrors,
  type ConnectionOptions,
  type NatsConnection,
  type Subscription,
  type TlsOptions,
} from '@nats-io/transport-node';
import { systemClock, type Clock } from '../clock.ts';
import { fail } from '../errors.ts';
import type { Logger } from '../log.ts';
import { LiveHub, type LiveListener, type LiveRelay } from '../capture/live.hub.ts';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { ClusterErrors } from './errors.ts';
import type { Refusal } from './control.wire.ts';
import { CLOCK_TOLERANCE_MS, openSealed, Sealer, type Opened } from './sealed.wire.ts';
import {
  CALLS_SUBJECT,
  decodeAnnouncement,
  decodeLive,
  encodeAnnouncement,
  encodeBlock,
  encodeClose,
  liveContext,
  liveSubject,
  type CallsAnnouncement,
  type CloseReason,
  type LiveCallInfo,
} from './live.wire.ts';

/** Why a message from NATS was dropped: the `kind` label of ecoute_cluster_rejected_total (no call, no agent). */
export type RejectionKind =
  `${'live' | 'calls'}_${'forged' | 'stale' | 'replayed' | 'malformed'}` | `control_${Refusal}`;

/** The metrics hook of the cluster layer (EcouteMetrics). */
export interface ClusterMetrics {
  clusterRejected(kind: RejectionKind): void;
}

/**
 * How a node proves itself to the NATS server and checks the server (config `nats.*`, docs/operations.md
 * "Securing NATS"): at most one of token, user + password, credsFile (config.ts checks). Any tls file, or a
 * `tls://` URL, makes TLS required. Secrets are never logged nor put in an error's context.
 */
export interface NatsAuth {
  readonly token?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** A NATS .creds file (user JWT + NKey seed), read at connect time. */
  readonly credsFile?: string | undefined;
  readonly tls?:
    | {
        readonly caFile?: string | undefined;
        readonly certFile?: string | undefined;
        readonly keyFile?: string | undefined;
      }
    | undefined;
}

export interface NatsRelayOptions {
  readonly url: string;
  readonly auth?: NatsAuth | undefined;
  /** Bound on the first connection (TCP, TLS and the server's answer to CONNECT), ms (default 10000). */
  readonly connectTimeoutMs?: number;
  readonly nodeId: string;
  readonly log: Logger;
  /** The cluster's live and calls keys (control.key.ts), the same on every node. */
  readonly keys: { readonly live: Uint8Array; readonly calls: Uint8Array };
  /** Counts dropped messages; optional (tests). */
  readonly metrics?: ClusterMetrics | undefined;
  /** The calls this node holds now (recording or paused). */
  readonly localCalls: () => readonly LiveCallInfo[];
  readonly clock?: Clock;
  /** Period of the snapshot each node publishes, ms (default 2000); a node silent for 3 periods is gone. */
  readonly heartbeatMs?: number;
}

interface RemoteNode {
  seenAt: number;
  readonly calls: Map<string, LiveCallInfo>;
}

/** A call held elsewhere that someone here listens to: the last sequence accepted on its subject. */
interface RemoteSub {
  readonly sub: Subscription;
  lastSeq: number;
}

/** At most one warning per kind of rejection in this period, ms: a flood must not flood the logs. */
const WARN_EVERY_MS = 60_000;

export class NatsRelay implements LiveRelay {
  readonly #o: NatsRelayOptions;
  readonly #nc: NatsConnection;
  readonly #clock: Clock;
  readonly #heartbeatMs: number;
  /** Local calls the cluster has been told about, with the state it was told. */
  readonly #announced = new Map<string, LiveCallInfo['state']>();
  readonly #nodes = new Map<string, RemoteNode>();
  /** Listeners on this node of calls held elsewhere. */
  readonly #remoteHub = new LiveHub();
  readonly #remoteSubs = new Map<string, RemoteSub>();
  readonly #watchers = new Set<() => void>();
  readonly #live: Sealer;
  readonly #calls: Sealer;
  /** The last announcement accepted from each node: its sequence and time (replays are refused). */
  readonly #senders = new Map<string, { seq: number; at: number }>();
  /** Rejections since the last warning, per kind, and when that warning was. */
  readonly #rejections = new Map<RejectionKind, { count: number; warnedAt: number }>();
  #timer: NodeJS.Timeout | undefined;

  private constructor(o: NatsRelayOptions, nc: NatsConnection) {
    this.#o = o;
    this.#nc = nc;
    this.#clock = o.clock ?? systemClock;
    this.#heartbeatMs = o.heartbeatMs ?? 2000;
    this.#live = new Sealer(o.keys.live);
    this.#calls = new Sealer(o.keys.calls);
  }

  static async connect(o: NatsRelayOptions): Promise<NatsRelay> {
    const url = withoutUserInfo(o.url);
    const auth = authMethod(o);
    const tls = await tlsOptions(o);
    const credentials = await authOptions(o.auth, o.url);
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: url.split(',').map((s) => s.trim()),
        noEcho: true,
        name: `ecoute ${o.nodeId}`,
        maxReconnectAttempts: -1,
        timeout: o.connectTimeoutMs ?? 10_000,
        ...credentials,
        ...(tls ? { tls } : {}),
      });
    } catch (e) {
      // A refused credential fails the start at once (the server answers -ERR): never retried, never hung.
      if (
        e instanceof natsErrors.AuthorizationError ||
        e instanceof natsErrors.UserAuthenticationExpiredError
      )
        throw fail(ClusterErrors.NATS_AUTH_FAILED, 'the NATS server refused this node', { url, auth }, e);
      if (tls && isTlsFailure(e))
        throw fail(ClusterErrors.NATS_TLS_FAILED, 'TLS to the NATS server failed', { url, auth }, e);
      throw fail(ClusterErrors.NATS_UNAVAILABLE, 'cannot connect to NATS', { url, auth }, e);
    }
    const relay = new NatsRelay(o, nc);
    nc.subscribe(CALLS_SUBJECT, {
      callback: (err, msg) => {
        if (!err) relay.#onAnnouncement(msg.data);
      },
    });
    await nc.flush(); // the subscription is live before we ask the others for their lists
    relay.#send({ v: 1, type: 'hello', nodeId: o.nodeId });
    relay.tick();
    relay.#timer = setInterval(() => relay.tick(), relay.#heartbeatMs);
    relay.#timer.unref();
    return relay;
  }

  get nodeId(): string {
    return this.#o.nodeId;
  }

  /** Called by the local LiveHub for every block a local listener could hear. Never blocks media. */
  publish(callId: string, block: StereoBlock): void {
    // Audio flows only while recording: the first block after a resume tells the cluster (R-PCI-1).
    if (this.#announced.get(callId) !== 'recording') this.#announceLocal(callId);
    this.#pubLive(callId, encodeBlock(block));
  }

  /** Called by the local LiveHub when a call's listeners are disconnected (end, objection, pause). */
  disconnect(callId: string, reason: CloseReason, rule?: string): void {
    this.#pubLive(callId, encodeClose(reason, rule));
    // A pause is announced at once, so another node neither lists nor lets anyone join a paused call.
    if (reason === 'paused') this.#announceLocal(callId);
    if (reason === 'ended' || reason === 'objection') {
      this.#announced.delete(callId);
      this.#send({ v: 1, type: 'ended', nodeId: this.#o.nodeId, callId });
    }
  }

  /** Calls held by other nodes that are alive. */
  remoteCalls(): LiveCallInfo[] {
    this.#expire();
    return [...this.#nodes.values()].flatMap((n) => [...n.calls.values()]);
  }

  /** Feeds `listener` with a call held by another node, through NATS, until it ends or is unsubscribed. */
  subscribeRemote(callId: string, listener: LiveListener): () => void {
    const off = this.#remoteHub.subscribe(callId, listener);
    if (!this.#remoteSubs.has(callId)) {
      const sub = this.#nc.subscribe(liveSubject(callId), {
        callback: (err, msg) => {
          if (!err) this.#onLive(callId, msg.data);
        },
      });
      this.#remoteSubs.set(callId, { sub, lastSeq: 0 });
    }
    return () => {
      off();
      if (this.#remoteHub.listeners(callId) === 0) this.#dropSub(callId);
    };
  }

  /**
   * Call control (cluster.control.ts): a request on `subject` resolving with the reply's bytes; rejects
   * with the NATS error (no responders, timeout, closed connection).
   */
  async request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const msg = await this.#nc.request(subject, data, { timeout: timeoutMs });
    return msg.data;
  }

  /** Answers each request on `subject` with what `handler` resolves to; returns the unsubscribe. */
  serve(subject: string, handler: (data: Uint8Array) => Promise<Uint8Array>): () => void {
    const sub = this.#nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        handler(msg.data)
          .then((reply) => {
            if (!msg.respond(reply)) this.#o.log.warn({}, 'request without a reply subject dropped');
          })
          .catch((e: unknown) => this.#o.log.error({ err: e }, 'request not answered'));
      },
    });
    return () => sub.unsubscribe();
  }

  /** Resolves once the subscriptions are known to the server (tests: before publishing). */
  async flush(): Promise<void> {
    await this.#nc.flush();
  }

  /** Calls `fn` whenever the remote list changes; returns an unsubscribe function. */
  watch(fn: () => void): () => void {
    this.#watchers.add(fn);
    return () => this.#watchers.delete(fn);
  }

  /** One heartbeat: publish this node's snapshot and expire silent nodes (also run by a timer). */
  tick(): void {
    const calls = this.#o.localCalls();
    this.#announced.clear();
    for (const c of calls) this.#announced.set(c.callId, c.state);
    this.#send({ v: 1, type: 'snapshot', nodeId: this.#o.nodeId, calls });
    this.#expire();
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const id of [...this.#remoteSubs.keys()]) this.#remoteHub.disconnect(id, 'ended');
    this.#remoteSubs.clear();
    if (!this.#nc.isClosed()) await this.#nc.drain().catch(() => undefined);
  }

  #announceLocal(callId: string): void {
    const call = this.#o.localCalls().find((c) => c.callId === callId);
    if (!call) return;
    this.#announced.set(callId, call.state);
    this.#send({ v: 1, type: 'started', call });
  }

  /** Seals for the call's subject (R-SEC-4): the audio never reaches NATS in clear. */
  #pubLive(callId: string, plaintext: Uint8Array): void {
    this.#pub(liveSubject(callId), this.#live.seal(liveContext(callId), this.#clock.now(), plaintext));
  }

  #pub(subject: string, data: Uint8Array): void {
    try {
      this.#nc.publish(subject, data);
    } catch (e) {
      // A closed connection must not stall or break the media path: the block is lost for remote listeners.
      this.#o.log.warn({ code: (e as { code?: string }).code }, 'nats publish failed');
    }
  }

  #send(a: CallsAnnouncement): void {
    this.#pub(CALLS_SUBJECT, this.#calls.seal(CALLS_SUBJECT, this.#clock.now(), encodeAnnouncement(a)));
  }

  #onAnnouncement(data: Uint8Array): void {
    const opened = this.#open('calls', this.#o.keys.calls, CALLS_SUBJECT, data);
    if (!opened) return;
    let a: CallsAnnouncement;
    try {
      a = decodeAnnouncement(opened.plaintext);
    } catch {
      this.#reject('calls_malformed');
      return;
    }
    const from = a.type === 'started' ? a.call.nodeId : a.nodeId;
    if (from === this.#o.nodeId) return;
    // Sealed by a node of the cluster, but maybe captured earlier and sent again: an ended call would
    // come back, a dead node would look alive.
    const last = this.#senders.get(from);
    if (last && opened.seq <= last.seq) {
      this.#reject('calls_replayed');
      return;
    }
    this.#senders.set(from, { seq: opened.seq, at: opened.at });
    const node = this.#node(from);
    switch (a.type) {
      case 'hello':
        this.tick(); // a new node wants everyone's list now, not at the next heartbeat
        return;
      case 'started':
        node.calls.set(a.call.callId, a.call);
        break;
      case 'ended':
        this.#forget(node, a.callId);
        break;
      case 'snapshot': {
        const next = new Set(a.calls.map((c) => c.callId));
        for (const id of [...node.calls.keys()]) if (!next.has(id)) this.#forget(node, id);
        for (const c of a.calls) node.calls.set(c.callId, c);
        break;
      }
    }
    this.#changed();
  }

  #node(id: string): RemoteNode {
    let n = this.#nodes.get(id);
    if (!n) this.#nodes.set(id, (n = { seenAt: 0, calls: new Map() }));
    n.seenAt = this.#clock.now();
    return n;
  }

  #forget(node: RemoteNode, callId: string): void {
    node.calls.delete(callId);
    this.#remoteHub.disconnect(callId, 'ended');
    this.#dropSub(callId);
  }

  #expire(): void {
    const now = this.#clock.now();
    // A replay of anything older than the tolerance is refused as stale: its sender's number can go.
    for (const [id, last] of this.#senders) if (last.at < now - CLOCK_TOLERANCE_MS) this.#senders.delete(id);
    const limit = now - 3 * this.#heartbeatMs;
    let changed = false;
    for (const [id, n] of this.#nodes) {
      if (n.seenAt >= limit) continue;
      for (const callId of [...n.calls.keys()]) this.#forget(n, callId);
      this.#nodes.delete(id);
      changed = true;
      this.#o.log.warn({ node: id }, 'cluster node silent: its live calls are dropped');
    }
    if (changed) this.#changed();
  }

  #onLive(callId: string, data: Uint8Array): void {
    const remote = this.#remoteSubs.get(callId);
    if (!remote) return;
    // Bound to this call's subject: a block of another call, or from outside the cluster, does not open.
    const opened = this.#open('live', this.#o.keys.live, liveContext(callId), data);
    if (!opened) return;
    if (opened.seq <= remote.lastSeq) {
      this.#reject('live_replayed'); // or reordered: never played out of order
      return;
    }
    remote.lastSeq = opened.seq;
    let m;
    try {
      m = decodeLive(opened.plaintext);
    } catch {
      this.#reject('live_malformed');
      return;
    }
    if (m.kind === 'block') {
      this.#remoteHub.publish(callId, m.block);
      return;
    }
    this.#remoteHub.disconnect(callId, m.reason, m.rule);
    this.#dropSub(callId);
  }

  #dropSub(callId: string): void {
    const remote = this.#remoteSubs.get(callId);
    if (!remote) return;
    this.#remoteSubs.delete(callId);
    remote.sub.unsubscribe();
  }

  /** The sealed message's content if it opens and is fresh; otherwise counted and undefined. */
  #open(area: 'live' | 'calls', key: Uint8Array, context: string, data: Uint8Array): Opened | undefined {
    let opened: Opened;
    try {
      opened = openSealed(key, context, data);
    } catch {
      this.#reject(`${area}_forged`);
      return undefined;
    }
    if (Math.abs(this.#clock.now() - opened.at) > CLOCK_TOLERANCE_MS) {
      this.#reject(`${area}_stale`);
      return undefined;
    }
    return opened;
  }

  /** Counts a dropped message; warns at most once a minute per kind, with the count since the last. */
  #reject(kind: RejectionKind): void {
    this.#o.metrics?.clusterRejected(kind);
    const now = this.#clock.now();
    const r = this.#rejections.get(kind) ?? { count: 0, warnedAt: -Infinity };
    r.count++;
    this.#rejections.set(kind, r);
    if (now - r.warnedAt < WARN_EVERY_MS) return;
    this.#o.log.warn(
      { code: ClusterErrors.MESSAGE_FORGED.code, kind, count: r.count },
      'cluster messages dropped: not from a node of this cluster, stale or replayed',
    );
    r.count = 0;
    r.warnedAt = now;
  }

  #changed(): void {
    for (const fn of this.#watchers) {
      try {
        fn();
      } catch {
        // a faulty watcher must not break the relay
      }
    }
  }
}

/** The URL as it may be logged: `nats://user:secret@host` loses its user part. */
export function withoutUserInfo(url: string): string {
  return url.replace(/\/\/[^/@,]*@/g, '//');
}

function urlCredentials(url: string): Partial<ConnectionOptions> {
  const m = /\/\/([^/@,]*)@/.exec(url);
  if (!m?.[1]) return {};
  const [user, pass] = m[1].split(':').map((p) => decodeURIComponent(p));
  if (user === undefined) return {};
  return pass === undefined ? { token: user } : { user, pass };
}

/** Which method authenticates the node (logged in errors instead of the secret). */
function authMethod(o: NatsRelayOptions): 'token' | 'user' | 'creds' | 'url' | 'none' {
  if (o.auth?.token !== undefined) return 'token';
  if (o.auth?.user !== undefined) return 'user';
  if (o.auth?.credsFile !== undefined) return 'creds';
  return withoutUserInfo(o.url) === o.url ? 'none' : 'url';
}

/**
 * The connection's credentials: the configured ones, else those of the URL (`nats://user:pass@host` or
 * `nats://token@host`, as other NATS clients read it; the client library itself ignores them).
 */
async function authOptions(a: NatsAuth | undefined, url: string): Promise<Partial<ConnectionOptions>> {
  if (a?.token !== undefined) return { token: a.token };
  if (a?.user !== undefined) return { user: a.user, pass: a.password ?? '' };
  if (a?.credsFile === undefined) return urlCredentials(url);
  let creds: Uint8Array;
  try {
    creds = await readFile(a.credsFile);
  } catch (e) {
    throw fail(
      ClusterErrors.NATS_AUTH_FAILED,
      'cannot read nats.credsFile',
      { field: 'nats.credsFile', file: a.credsFile },
      e,
    );
  }
  return { authenticator: credsAuthenticator(creds) };
}

/** TLS settings, files read here so an unreadable one is named; undefined: plain TCP unless the server requires TLS. */
async function tlsOptions(o: NatsRelayOptions): Promise<TlsOptions | undefined> {
  const t = o.auth?.tls;
  const files = { ca: t?.caFile, cert: t?.certFile, key: t?.keyFile };
  const wanted = /^tls:\/\//i.test(o.url) || Object.values(files).some((f) => f !== undefined);
  if (!wanted) return undefined;
  const out: { ca?: string; cert?: string; key?: string } = {};
  for (const [k, file] of Object.entries(files) as ['ca' | 'cert' | 'key', string | undefined][]) {
    if (file === undefined) continue;
    try {
      out[k] = await readFile(file, 'utf8');
    } catch (e) {
      throw fail(
        ClusterErrors.NATS_TLS_FAILED,
        `cannot read nats.tls.${k}File`,
        { field: `nats.tls.${k}File`, file },
        e,
      );
    }
  }
  return out;
}

/** A failure of the TLS layer (certificate check, handshake, alert), not of the network. */
function isTlsFailure(e: unknown): boolean {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SSL|TLS|SIGNATURE|ISSUER|HOSTNAME|ALTNAME/i.test(code)) return true;
    if (/certificate|tls|ssl|handshake/i.test(c.message)) return true;
  }
  return false;
}
