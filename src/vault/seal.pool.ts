/**
 * Runs the Opus re-encode of sealing (opus.encode.ts) off the main thread, where SIP and WebSocket ingest
 * run: in child processes, started on demand, reused, and stopped after a minute idle.
 *
 * Why processes and not worker threads: the native codec (@evan/opus) crashes the whole process with a
 * segmentation fault when a worker thread that loaded it exits; its WASM build works in a worker but
 * encodes about 2.6× slower. A child process keeps the native speed, and a codec crash there fails one
 * seal (the spool is kept for recovery) instead of taking the node down.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EcouteError, fail, type ErrorSpec } from '../errors.ts';
import { MediaErrors } from '../media/errors.ts';
import { VaultErrors } from './errors.ts';
import type { OpusSealJob, OpusSealResult } from './opus.encode.ts';

export interface SealRequest {
  readonly id: number;
  readonly job: OpusSealJob;
}

export type SealReply =
  | { readonly id: number; readonly ok: true; readonly result: OpusSealResult }
  | {
      readonly id: number;
      readonly ok: false;
      readonly error: { code?: string; message: string; context: Record<string, unknown> };
    }
  | { readonly id: 0; readonly ok: true; readonly ready: true };

/** Re-encodes spools; the vault's port for it (tests may run jobs in-process). */
export interface Sealer {
  run(job: OpusSealJob): Promise<OpusSealResult>;
  /** Stops the encoders (at shutdown, after the last call is sealed). */
  close?(): void;
}

export interface SealPoolOptions {
  /** Child processes at most (config `vault.sealWorkers`); default 1. */
  readonly size?: number;
  /** A child idle this long is stopped, ms; default 60,000. */
  readonly idleMs?: number;
}

interface Job {
  readonly id: number;
  readonly job: OpusSealJob;
  readonly resolve: (r: OpusSealResult) => void;
  readonly reject: (e: EcouteError) => void;
}

interface Slot {
  readonly child: ChildProcess;
  busy: Job | undefined;
  idle: NodeJS.Timeout | undefined;
}

const ENTRY = fileURLToPath(new URL('./seal.child.ts', import.meta.url));
const KNOWN: readonly ErrorSpec[] = [...Object.values(VaultErrors), ...Object.values(MediaErrors)];

export class SealPool implements Sealer {
  readonly #size: number;
  readonly #idleMs: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #next = 1;
  #closed = false;

  constructor(o: SealPoolOptions = {}) {
    this.#size = Math.max(1, o.size ?? 1);
    this.#idleMs = o.idleMs ?? 60_000;
  }

  /** Child processes running now. */
  get processes(): number {
    return this.#slots.size;
  }

  run(job: OpusSealJob): Promise<OpusSealResult> {
    if (this.#closed)
      return Promise.reject(fail(VaultErrors.SEAL, 'sealing pool closed', { recordingId: job.recordingId }));
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#next++, job, resolve, reject });
      this.#pump();
    });
  }

  /** Stops every child; jobs still running fail with SEAL (their spools stay for recovery). */
  close(): void {
    this.#closed = true;
    for (const s of [...this.#slots]) s.child.kill('SIGKILL');
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = [...this.#slots].find((s) => !s.busy);
      if (!slot && this.#slots.size < this.#size) slot = this.#spawn();
      if (!slot) return;
      this.#start(slot, this.#queue.shift() as Job);
    }
  }

  #start(slot: Slot, job: Job): void {
    clearTimeout(slot.idle);
    slot.busy = job;
    slot.child.ref();
    (slot.child.channel as { ref?: () => void } | null | undefined)?.ref?.();
    slot.child.send({ id: job.id, job: job.job } satisfies SealRequest);
  }

  #spawn(): Slot {
    const child = fork(ENTRY, [], {
      // The test runner's own flags must not reach the child: only the TypeScript loader.
      execArgv: ['--import', import.meta.resolve('tsx')],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const slot: Slot = { child, busy: undefined, idle: undefined };
    this.#slots.add(slot);
    child.on('message', (m: SealReply) => this.#onReply(slot, m));
    child.once('exit', (code, signal) => this.#onExit(slot, code, signal));
    // A child that cannot start or be signalled may never emit 'exit'.
    child.once('error', () => this.#onExit(slot, null, null));
    this.#park(slot);
    return slot;
  }

  #onReply(slot: Slot, m: SealReply): void {
    if ('ready' in m) return;
    const job = slot.busy;
    if (!job || job.id !== m.id) return;
    slot.busy = undefined;
    if (m.ok) job.resolve(m.result);
    else job.reject(rebuild(m.error, job.job.recordingId));
    this.#park(slot);
    this.#pump();
  }

  /** An idle child does not keep the process alive, and stops after `idleMs`. */
  #park(slot: Slot): void {
    if (slot.busy) return;
    slot.child.unref();
    (slot.child.channel as { unref?: () => void } | null | undefined)?.unref?.();
    slot.idle = setTimeout(() => {
      this.#slots.delete(slot); // before it exits: no job may be handed to a child on its way out
      slot.child.kill('SIGTERM');
    }, this.#idleMs);
    slot.idle.unref();
  }

  #onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(slot.idle);
    if (!this.#slots.delete(slot)) return;
    slot.child.kill('SIGKILL');
    const job = slot.busy;
    slot.busy = undefined;
    if (job)
      job.reject(
        fail(VaultErrors.SEAL, 'the sealing process died', {
          recordingId: job.job.recordingId,
          code,
          signal,
        }),
      );
    if (!this.#closed) this.#pump();
  }
}

/** The child's error as the same typed error, or SEAL when its code is not a vault or media one. */
function rebuild(
  e: { code?: string; message: string; context: Record<string, unknown> },
  recordingId: string,
) {
  const spec = KNOWN.find((s) => s.code === e.code);
  return spec
    ? new EcouteError(spec, e.message, { ...e.context, recordingId })
    : fail(VaultErrors.SEAL, e.message, { ...e.context, recordingId });
}

let shared: SealPool | undefined;

/** One pool for the whole process, for vaults built without one (tools, tests). */
export function sharedSealPool(): SealPool {
  return (shared ??= new SealPool());
}
