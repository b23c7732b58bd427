/**
 * The spool writer: an in-progress recording is appended to `<spoolDir>/<id>.spool`, which has exactly the
 * layout of a sealed container. Each full chunk is sealed at once and written asynchronously, then
 * fdatasync'd, so a crash loses at most the chunk being filled (one `vault.chunkMs`, default 1 s).
 * `append` never waits: it copies into a chunk buffer and queues sealed chunks for a single drain loop.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log.ts';
import { fail, type EcouteError } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { FLAG_FINAL, encodeHeader, decodeHeader, keyCheckOf, sealChunk } from './container.ts';

/** What sealing a recording produced. */
export interface SealedInfo {
  readonly recordingId: string;
  /** Where the sealed container is in the blob store. */
  readonly blobKey: string;
  /** SHA-256 (hex) of the sealed container, for the metadata store and `vault verify`. */
  readonly sha256: string;
  /** Sealed container size in bytes. */
  readonly size: number;
  /** Audio bytes as readers see them: for a call, stereo µ-law (16,000 a second) even when stored as Opus. */
  readonly durationBytes: number;
  /** Stored media format, for the `recordings.codec` column: 'opus/8000/2' when re-encoded, else as spooled. */
  readonly format: string;
  /** True when the recording was closed by crash recovery rather than by `finish`. */
  readonly interrupted: boolean;
}

/** What the writer needs from the vault, so it holds no store itself. */
export interface SpoolHooks {
  /** Seals the finished spool file into the blob store and removes it. */
  seal(): Promise<SealedInfo>;
  /** Destroys the recording's data key (R-CAL-2 objection, R-RET-4). */
  destroyKey(): Promise<void>;
}

export interface SpoolOptions {
  readonly recordingId: string;
  readonly path: string;
  readonly dataKey: Buffer;
  readonly format: string;
  readonly chunkBytes: number;
  readonly createdMs: number;
  readonly hooks: SpoolHooks;
  readonly log: Logger;
  /** Called once if a write or sync fails; the writer then drops further audio. */
  readonly onError?: (e: EcouteError) => void;
  /** Called after each sync with the number of chunks now durable on disk. */
  readonly onDurable?: (chunks: number) => void;
}

type State = 'open' | 'finishing' | 'done' | 'aborted' | 'failed';

export class SpoolWriter {
  readonly recordingId: string;
  readonly #o: SpoolOptions;
  readonly #fh: FileHandle;
  readonly #headerHash: Buffer;
  readonly #buf: Buffer;
  #fill = 0;
  #index = 0;
  #offset: number;
  #pending: Buffer[] = [];
  #draining: Promise<void> | undefined;
  #durable = 0;
  #dropped = 0;
  #state: State = 'open';
  #error: EcouteError | undefined;

  private constructor(o: SpoolOptions, fh: FileHandle, header: Buffer) {
    this.recordingId = o.recordingId;
    this.#o = o;
    this.#fh = fh;
    this.#headerHash = decodeHeader(header, o.recordingId).hash;
    this.#offset = header.length;
    this.#buf = Buffer.alloc(o.chunkBytes);
  }

  /** Creates the spool file (never over an existing one) and makes its header durable. */
  static async create(o: SpoolOptions): Promise<SpoolWriter> {
    const header = encodeHeader({
      recordingId: o.recordingId,
      chunkBytes: o.chunkBytes,
      format: o.format,
      keyCheck: keyCheckOf(o.dataKey),
      createdMs: o.createdMs,
    });
    let fh: FileHandle;
    try {
      fh = await open(o.path, 'wx', 0o600);
    } catch (e) {
      const exists = (e as NodeJS.ErrnoException).code === 'EEXIST';
      throw fail(
        exists ? VaultErrors.SPOOL_STATE : VaultErrors.SPOOL_WRITE,
        'cannot create the spool',
        { recordingId: o.recordingId, errno: (e as NodeJS.ErrnoException).code },
        e,
      );
    }
    try {
      await fh.write(header, 0, header.length, 0);
      await fh.datasync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(o.path).catch(() => undefined);
      throw fail(
        VaultErrors.SPOOL_WRITE,
        'cannot write the spool header',
        { recordingId: o.recordingId, errno: (e as NodeJS.ErrnoException).code },
        e,
      );
    }
    return new SpoolWriter(o, fh, header);
  }

  /** Chunks written and synced so far. */
  get durableChunks(): number {
    return this.#durable;
  }

  /** Audio bytes dropped after a write failure. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  get failed(): EcouteError | undefined {
    return this.#error;
  }

  /** Buffers audio; seals and queues a chunk each time one is full. Never blocks on I/O. */
  append(bytes: Uint8Array): void {
    if (this.#state === 'failed') {
      this.#dropped += bytes.length;
      return;
    }
    if (this.#state !== 'open')
      throw fail(VaultErrors.SPOOL_STATE, `append after ${this.#state}`, { recordingId: this.recordingId });
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(this.#buf.length - this.#fill, bytes.length - at);
      this.#buf.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.#buf.length) this.#sealBuffered(0);
    }
  }

  #sealBuffered(flags: number): void {
    const sealed = sealChunk(
      this.#o.dataKey,
      this.#headerHash,
      this.#index++,
      flags,
      this.#buf.subarray(0, this.#fill),
    );
    this.#fill = 0;
    this.#pending.push(sealed);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** One loop writes whatever is queued, then syncs: chunks queued during a sync share the next one. */
  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0 && this.#state !== 'aborted') {
        const batch = this.#pending;
        this.#pending = [];
        const buf = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
        const { bytesWritten } = await this.#fh.write(buf, 0, buf.length, this.#offset);
        if (bytesWritten !== buf.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        this.#offset += buf.length;
        await this.#fh.datasync();
        this.#durable += batch.length;
        this.#o.onDurable?.(this.#durable);
      }
    } catch (e) {
      this.#pending = [];
      if (this.#state === 'aborted') return;
      const errno = (e as NodeJS.ErrnoException).code;
      this.#error = fail(
        VaultErrors.SPOOL_WRITE,
        'spool write failed',
        { recordingId: this.recordingId, errno },
        e,
      );
      this.#state = 'failed';
      this.#o.log.error({ recordingId: this.recordingId, errno }, 'spool write failed');
      this.#o.onError?.(this.#error);
    }
  }

  /** Resolves when every full chunk appended so far is on disk; rejects if the spool failed. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
    if (this.#error) throw this.#error;
  }

  /** Seals the last (possibly partial) chunk as final, syncs, and seals the recording into the blob store. */
  async finish(): Promise<SealedInfo> {
    if (this.#state !== 'open' && this.#state !== 'failed')
      throw fail(VaultErrors.SPOOL_STATE, `finish after ${this.#state}`, { recordingId: this.recordingId });
    if (this.#state === 'open') {
      this.#state = 'finishing';
      this.#sealBuffered(FLAG_FINAL);
    }
    try {
      await this.flush();
    } finally {
      await this.#fh.close().catch(() => undefined);
    }
    const info = await this.#o.hooks.seal();
    this.#state = 'done';
    return info;
  }

  /**
   * Objection (R-CAL-2): destroys the data key first, so what is on disk is unreadable from that instant,
   * then the spool file. Idempotent.
   */
  async abort(reason: string): Promise<void> {
    if (this.#state === 'aborted' || this.#state === 'done') return;
    this.#state = 'aborted';
    this.#pending = [];
    this.#buf.fill(0);
    await this.#o.hooks.destroyKey();
    while (this.#draining) await this.#draining;
    await this.#fh.close().catch(() => undefined);
    await unlink(this.#o.path).catch(() => undefined);
    this.#o.dataKey.fill(0);
    this.#o.log.info({ recordingId: this.recordingId, reason }, 'spool aborted and shredded');
  }
}
