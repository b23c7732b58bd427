import { Worker } from 'node:worker_threads';
import { fail } from '../../errors.ts';
import type { RecorderMetrics } from '../../metrics/metrics.ts';
import { blockFromBuffer } from '../../media/pipeline.types.ts';
import { RtpErrors } from './errors.ts';
import { PortPool } from './port.pool.ts';
import type {
  BatchItem,
  FromWorker,
  RtpAllocateOptions,
  RtpCallEvents,
  RtpCallStats,
  RtpStreamSpec,
  ToWorker,
  WorkerOptions,
} from './rtp.types.ts';

export type * from './rtp.types.ts';
export type { StereoBlock } from '../../media/pipeline.types.ts';
export type { Segment } from '../../media/timeline.ts';

export interface RtpEngineOptions {
  /** Lowest and highest RTP port (config rtp.portMin / rtp.portMax). */
  readonly portMin: number;
  readonly portMax: number;
  /** Worker threads (config rtp.workers); default 1. */
  readonly workers?: number;
  /** Address the sockets bind; default 0.0.0.0. */
  readonly bindAddress?: string;
  /** Time a released port rests before reuse, ms; default 2000. */
  readonly cooldownMs?: number;
  /** Jitter buffer depth, ms; default 60. */
  readonly jitterMs?: number;
  /** Silence of the locked SSRC after which another SSRC may take over, ms; default 1000. */
  readonly relockMs?: number;
  /** Block length of the pipelines, ms; default 100. */
  readonly blockMs?: number;
  /** How long a block waits for a lagging stream before its part becomes silence, ms; default 500. */
  readonly maxSkewMs?: number;
  /** Period of `stats` events, ms; default 1000. */
  readonly statsIntervalMs?: number;
  /**
   * Young-generation heap of each worker, MiB; default 8. A worker allocates a little per packet (the
   * datagram, its sender address) and keeps almost none of it; left to V8's default the young generation
   * grows to tens of MiB of garbage per worker: 257–266 KiB RSS per call at 300 calls in
   * `npm run bench -- rtp`, against 169–173 KiB with 8 MiB, at the same CPU within the bench's noise.
   */
  readonly youngGenerationMb?: number;
  readonly drainRtcp?: boolean;
  /** Milliseconds clock for port cooldown; default Date.now. */
  readonly now?: () => number;
  /**
   * The node's metrics: packets the workers gave up on (sequence gaps played out as silence), counted
   * from each call's periodic and final stats, so one figure per call per `statsIntervalMs` crosses the
   * thread boundary, never one per packet. No call or agent goes with it (R-SEC-3).
   */
  readonly metrics?: Pick<RecorderMetrics, 'packetsLost'>;
}

/**
 * The project runs from TypeScript sources through tsx, and a worker thread does not inherit the
 * loader: this bootstrap registers it inside the worker, then loads the worker module.
 */
const WORKER_BOOT = `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api').then(({ register }) => { register(); return import(workerData.entry); });
`;

type Listener<E extends keyof RtpCallEvents> = (ev: RtpCallEvents[E]) => void;

/** A call's RTP allocation on the main thread: its ports and its events. */
export class RtpCall {
  readonly #listeners = new Map<keyof RtpCallEvents, Set<(ev: never) => void>>();
  #ended = false;

  constructor(
    readonly callId: string,
    readonly ports: readonly number[],
    private readonly engine: RtpEngine,
  ) {}

  on<E extends keyof RtpCallEvents>(event: E, fn: Listener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  get ended(): boolean {
    return this.#ended;
  }

  pause(): Promise<void> {
    return this.engine.pause(this.callId);
  }

  resume(): Promise<void> {
    return this.engine.resume(this.callId);
  }

  release(): Promise<RtpCallStats> {
    return this.engine.release(this.callId);
  }

  /** @internal */
  emit<E extends keyof RtpCallEvents>(event: E, ev: RtpCallEvents[E]): void {
    if (event === 'end') this.#ended = true;
    for (const fn of this.#listeners.get(event) ?? []) {
      try {
        (fn as Listener<E>)(ev);
      } catch (e) {
        // A faulty listener must not break the message loop that carries every other call's media.
        if (event !== 'error') this.emit('error', e instanceof Error ? e : new Error(String(e)));
      }
    }
  }
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  calls: number;
}

interface Entry {
  readonly call: RtpCall;
  readonly slot: WorkerSlot;
  allocated?: (m: Extract<FromWorker, { type: 'allocated' }>) => void;
  /** Pending pause/resume acknowledgements, in order. */
  readonly acks: (() => void)[];
  released?: (stats: RtpCallStats) => void;
  /** Lost packets of this call already counted in the metrics. */
  lostCounted: number;
}

/**
 * The main-thread facade of RTP receive. Per-packet work happens in worker threads; a call's streams
 * live in one worker; this side only allocates ports, relays control and re-emits what workers send.
 */
export class RtpEngine {
  readonly #pool: PortPool;
  readonly #slots: WorkerSlot[] = [];
  readonly #calls = new Map<string, Entry>();
  readonly #workerOptions: WorkerOptions;
  readonly #workerCount: number;
  readonly #youngGenerationMb: number;
  readonly #metrics: Pick<RecorderMetrics, 'packetsLost'> | undefined;
  #stopped = false;

  constructor(opts: RtpEngineOptions) {
    this.#pool = new PortPool(opts.portMin, opts.portMax, opts.cooldownMs ?? 2000, opts.now ?? Date.now);
    this.#workerCount = opts.workers ?? 1;
    this.#youngGenerationMb = opts.youngGenerationMb ?? 8;
    this.#metrics = opts.metrics;
    this.#workerOptions = {
      bindAddress: opts.bindAddress ?? '0.0.0.0',
      jitterMs: opts.jitterMs ?? 60,
      relockMs: opts.relockMs ?? 1000,
      blockMs: opts.blockMs ?? 100,
      maxSkewMs: opts.maxSkewMs ?? 500,
      statsIntervalMs: opts.statsIntervalMs ?? 1000,
      drainRtcp: opts.drainRtcp ?? true,
    };
  }

  /** Starts the worker threads and waits until they listen for work. */
  async start(): Promise<void> {
    while (this.#slots.length < this.#workerCount) this.#slots.push(this.#spawn());
    await Promise.all(this.#slots.map((s) => s.ready));
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /**
   * Binds one RTP port per stream, consecutive even ports N, N+2, … (RTCP at +1 drained), in the least
   * loaded worker. Retries another run when a port is taken by another process.
   */
  async allocate(
    callId: string,
    streams: readonly RtpStreamSpec[],
    options: RtpAllocateOptions = {},
  ): Promise<RtpCall> {
    if (this.#stopped) throw fail(RtpErrors.STOPPED);
    if (this.#calls.has(callId)) throw fail(RtpErrors.DUPLICATE_CALL, undefined, { callId });
    for (const s of streams) {
      if (!s.payloadTypes.some((p) => p.codec === 'PCMU' || p.codec === 'PCMA')) {
        throw fail(RtpErrors.NO_AUDIO_CODEC, undefined, { label: s.label });
      }
    }
    if (this.#slots.length === 0) await this.start();
    const slot = this.#slots.reduce((a, b) => (b.calls < a.calls ? b : a));
    for (let attempt = 0; attempt < 8; attempt++) {
      const ports = this.#pool.take(streams.length);
      if (!ports) break;
      const call = new RtpCall(callId, ports, this);
      const entry: Entry = { call, slot, acks: [], lostCounted: 0 };
      this.#calls.set(callId, entry);
      const reply = await new Promise<Extract<FromWorker, { type: 'allocated' }>>((resolve) => {
        entry.allocated = resolve;
        this.#send(slot, { type: 'allocate', callId, ports, streams, options });
      });
      if (reply.error === undefined) {
        slot.calls++;
        return call;
      }
      this.#calls.delete(callId);
      // A port held by another process: keep it out of rotation for a while.
      this.#pool.give(ports.filter((p) => p !== reply.failedPort));
      if (reply.failedPort !== undefined) this.#pool.give([reply.failedPort], 60_000);
    }
    throw fail(RtpErrors.NO_PORTS, undefined, { streams: streams.length });
  }

  /** R-PCI-1: pauses the call's recording from now on; resolves once the worker has applied it. */
  pause(callId: string): Promise<void> {
    return this.#control(callId, 'pause');
  }

  resume(callId: string): Promise<void> {
    return this.#control(callId, 'resume');
  }

  #control(callId: string, type: 'pause' | 'resume'): Promise<void> {
    const entry = this.#entry(callId);
    return new Promise((resolve) => {
      entry.acks.push(resolve);
      this.#send(entry.slot, { type, callId });
    });
  }

  /** Closes the call's sockets, flushes its last blocks and segments, and resolves with final stats. */
  release(callId: string): Promise<RtpCallStats> {
    const entry = this.#entry(callId);
    return new Promise((resolve) => {
      const prev = entry.released;
      entry.released = (s) => {
        prev?.(s);
        resolve(s);
      };
      if (!prev) this.#send(entry.slot, { type: 'release', callId });
    });
  }

  /** Releases every call and stops the workers. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    await Promise.all([...this.#calls.keys()].map((id) => this.release(id)));
    this.#stopped = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #entry(callId: string): Entry {
    const e = this.#calls.get(callId);
    if (!e) throw fail(RtpErrors.UNKNOWN_CALL, undefined, { callId });
    return e;
  }

  #send(slot: WorkerSlot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  #spawn(): WorkerSlot {
    const worker = new Worker(WORKER_BOOT, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: this.#youngGenerationMb },
      workerData: { ...this.#workerOptions, entry: new URL('./rtp.worker.ts', import.meta.url).href },
    });
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      const onReady = (m: FromWorker): void => {
        if (m.type !== 'ready') return;
        worker.off('message', onReady);
        worker.off('error', reject);
        resolve();
      };
      worker.on('message', onReady);
    });
    const slot: WorkerSlot = { worker, ready, calls: 0 };
    worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
    worker.on('error', (e) => this.#onWorkerFailure(slot, e));
    return slot;
  }

  #onMessage(slot: WorkerSlot, m: FromWorker | BatchItem): void {
    if (m.type === 'ready') return;
    if (m.type === 'batch') {
      for (const item of m.items) this.#onMessage(slot, item);
      return;
    }
    const entry = this.#calls.get(m.callId);
    if (!entry) return;
    const call = entry.call;
    switch (m.type) {
      case 'allocated':
        entry.allocated?.(m);
        return;
      case 'block':
        call.emit('block', blockFromBuffer(m.meta, m.buffer));
        return;
      case 'objection':
        call.emit('objection', m.ev);
        return;
      case 'segment':
        call.emit('segment', m.ev);
        return;
      case 'stats':
        this.#countLost(entry, m.stats);
        call.emit('stats', m.stats);
        return;
      case 'error':
        call.emit('error', new Error(m.message));
        return;
      case 'ack':
        entry.acks.shift()?.();
        return;
      case 'released':
        this.#countLost(entry, m.stats);
        this.#calls.delete(m.callId);
        slot.calls--;
        this.#pool.give(call.ports);
        for (const ack of entry.acks.splice(0)) ack();
        call.emit('end', m.stats);
        entry.released?.(m.stats);
        return;
    }
  }

  /** Adds what the call lost since its last stats to the metrics (stream counters only grow). */
  #countLost(entry: Entry, stats: RtpCallStats): void {
    const lost = stats.streams.reduce((n, s) => n + s.lost, 0);
    if (lost <= entry.lostCounted) return;
    this.#metrics?.packetsLost(lost - entry.lostCounted);
    entry.lostCounted = lost;
  }

  #onWorkerFailure(slot: WorkerSlot, e: Error): void {
    for (const [id, entry] of this.#calls) {
      if (entry.slot !== slot) continue;
      this.#calls.delete(id);
      this.#pool.give(entry.call.ports);
      const err = fail(RtpErrors.WORKER_FAILED, undefined, { callId: id }, e);
      entry.call.emit('error', err);
      const empty: RtpCallStats = { streams: [], lateSamples: 0 };
      entry.call.emit('end', empty);
      entry.released?.(empty);
      for (const ack of entry.acks.splice(0)) ack();
      entry.allocated?.({ type: 'allocated', callId: id, error: err.message });
    }
    const i = this.#slots.indexOf(slot);
    if (i >= 0 && !this.#stopped) this.#slots[i] = this.#spawn();
  }
}
