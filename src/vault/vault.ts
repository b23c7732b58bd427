/**
 * The vault service: spools in-progress recordings, seals them into the blob store, serves byte ranges,
 * shreds (R-RET-4), verifies and recovers after a crash. Takes its ports as one object (STYLE.md §4).
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { EcouteError, fail, isEcouteError, type RuleId } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { bytesPerSecond, checkFormat } from './container.ts';
import { ContainerReader, type RangeSource } from './container.reader.ts';
import type { KeyRing } from './keyring.ts';
import { blobKeyOf, checkRecordingId } from './ids.ts';
import { SpoolWriter, type SealedInfo } from './spool.ts';
import { repairSpool } from './spool.recovery.ts';
import { verifyVault, type VerifyOptions, type VerifyReport } from './vault.verify.ts';
import type { BlobStore, KeyStore } from './vault.ports.ts';

export type { SealedInfo, VerifyReport, VerifyOptions };

export interface VaultDeps {
  readonly keyRing: KeyRing;
  readonly keyStore: KeyStore;
  readonly blobs: BlobStore;
  readonly spoolDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Spool chunk length in ms (config `vault.chunkMs`, default 1000): the most a crash can lose. */
  readonly chunkMs?: number;
}

export interface OpenSpoolOptions {
  /** `codec/rate/channels`, e.g. `pcmu/8000/2` (stereo interleaved µ-law, channel 0 = agent). */
  readonly format: string;
  /** Plaintext bytes per chunk; default: `chunkMs` of audio for raw formats (required otherwise). */
  readonly chunkBytes?: number;
  readonly onError?: (e: EcouteError) => void;
  readonly onDurable?: (chunks: number) => void;
}

/** Random access to a recording's plaintext, for HTTP range playback. */
export interface VaultReader {
  readonly recordingId: string;
  /** Plaintext bytes. */
  readonly size: number;
  readonly format: string;
  readonly interrupted: boolean;
  read(start: number, endExclusive: number): Promise<Buffer>;
  /** Forgets the data key; idempotent. */
  close(): void;
}

/** What remains of a shredded recording (R-RET-4): no content, only who/when/why. */
export interface ShredReceipt {
  readonly recordingId: string;
  /** ISO-8601 time the data key was destroyed. */
  readonly at: string;
  readonly rule: RuleId;
  /** What the deletion covers, as stated by the caller (e.g. `audio,transcript,analytics`). */
  readonly scope: string;
  readonly keyDestroyed: boolean;
  /** False if the blob store was unreachable: the blob is unreadable anyway and `verify` reports it orphaned. */
  readonly blobDeleted: boolean;
}

export interface RecoveredSpool {
  readonly recordingId: string;
  readonly outcome: 'sealed' | 'discarded' | 'failed';
  readonly sealed?: SealedInfo;
  /** Sealed bytes of torn tail dropped. */
  readonly droppedBytes?: number;
  readonly error?: EcouteError;
}

/** Adds the recording id to an error raised below (blob stores name only the blob key). */
function named(recordingId: string, e: unknown): EcouteError {
  if (isEcouteError(e)) {
    if (e.context.recordingId === recordingId) return e;
    return new EcouteError(
      { code: e.code, summary: e.message, ...(e.rule ? { rule: e.rule } : {}) },
      e.message,
      { ...e.context, recordingId },
      { cause: e },
    );
  }
  return fail(VaultErrors.BLOB_UNAVAILABLE, 'unexpected storage failure', { recordingId }, e);
}

export class Vault {
  readonly #d: VaultDeps;
  readonly #writers = new Map<string, SpoolWriter>();
  readonly #readers = new Map<string, Set<VaultReader>>();

  constructor(deps: VaultDeps) {
    this.#d = deps;
  }

  #spoolPath(id: string): string {
    return join(this.#d.spoolDir, `${checkRecordingId(id)}.spool`);
  }

  /** Starts a recording: a fresh data key stored wrapped first (R-SEC-4), then the spool file. */
  async openSpool(recordingId: string, opts: OpenSpoolOptions): Promise<SpoolWriter> {
    const path = this.#spoolPath(recordingId);
    checkFormat(opts.format, recordingId);
    const chunkBytes = opts.chunkBytes ?? this.#defaultChunkBytes(opts.format, recordingId);
    await mkdir(this.#d.spoolDir, { recursive: true, mode: 0o700 });
    const dataKey = await this.#d.keyRing.createDataKey(recordingId);
    try {
      const writer = await SpoolWriter.create({
        recordingId,
        path,
        dataKey,
        format: opts.format,
        chunkBytes,
        createdMs: this.#d.clock.now(),
        log: this.#d.log,
        onError: opts.onError,
        onDurable: opts.onDurable,
        hooks: {
          seal: () => this.seal(recordingId).finally(() => this.#writers.delete(recordingId)),
          destroyKey: async () => {
            this.#writers.delete(recordingId);
            await this.#d.keyStore.destroy(recordingId);
          },
        },
      });
      this.#writers.set(recordingId, writer);
      return writer;
    } catch (e) {
      await this.#d.keyStore.destroy(recordingId);
      throw e;
    }
  }

  #defaultChunkBytes(format: string, recordingId: string): number {
    const bps = bytesPerSecond(format);
    if (bps === undefined)
      throw fail(VaultErrors.FORMAT, 'chunkBytes is required for a non-raw format', { recordingId, format });
    return Math.max(1, Math.round((bps * (this.#d.chunkMs ?? 1000)) / 1000));
  }

  /** Seals a complete spool file into the blob store (streaming, hashed on the way), then removes it. */
  async seal(recordingId: string): Promise<SealedInfo> {
    const path = this.#spoolPath(recordingId);
    const blobKey = blobKeyOf(recordingId);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      throw fail(VaultErrors.SPOOL_MISSING, 'no spool to seal', { recordingId }, e);
    }
    const dataKey = await this.#d.keyRing.dataKey(recordingId);
    const reader = await ContainerReader.open(fileSource(path, size), dataKey, recordingId);
    reader.close();
    dataKey.fill(0);
    const hash = createHash('sha256');
    try {
      await this.#d.blobs.put(blobKey, hashed(path, hash), size);
      const stored = await this.#d.blobs.head(blobKey);
      if (stored?.size !== size)
        throw fail(VaultErrors.BLOB_UNAVAILABLE, 'stored blob size differs from the spool', {
          recordingId,
          blobKey,
        });
    } catch (e) {
      throw named(recordingId, e);
    }
    await unlink(path);
    const info: SealedInfo = {
      recordingId,
      blobKey,
      sha256: hash.digest('hex'),
      size,
      durationBytes: reader.size,
      format: reader.header.format,
      interrupted: reader.interrupted,
    };
    this.#d.log.info({ recordingId, size, interrupted: info.interrupted }, 'recording sealed');
    return info;
  }

  /** Opens a sealed recording for range reads; the reader is closed by `shred`. */
  async openReader(recordingId: string): Promise<VaultReader> {
    const blobKey = blobKeyOf(recordingId);
    const dataKey = await this.#d.keyRing.dataKey(recordingId);
    let inner: ContainerReader;
    try {
      const head = await this.#d.blobs.head(blobKey);
      if (!head)
        throw fail(VaultErrors.BLOB_MISSING, 'sealed container not in the blob store', {
          recordingId,
          blobKey,
        });
      const blobs = this.#d.blobs;
      inner = await ContainerReader.open(
        { size: head.size, read: (s, e) => blobs.getRange(blobKey, s, e) },
        dataKey,
        recordingId,
      );
    } catch (e) {
      throw named(recordingId, e);
    } finally {
      dataKey.fill(0);
    }
    const set = this.#readers.get(recordingId) ?? new Set<VaultReader>();
    this.#readers.set(recordingId, set);
    const reader: VaultReader = {
      recordingId,
      size: inner.size,
      format: inner.header.format,
      interrupted: inner.interrupted,
      read: (s, e) => inner.read(s, e).catch((err: unknown) => Promise.reject(named(recordingId, err))),
      close: () => {
        inner.close();
        set.delete(reader);
      },
    };
    set.add(reader);
    return reader;
  }

  /** Plaintext bytes [start, endExclusive) of a sealed recording. */
  async readRange(recordingId: string, start: number, endExclusive: number): Promise<Buffer> {
    const reader = await this.openReader(recordingId);
    try {
      return await reader.read(start, endExclusive);
    } finally {
      reader.close();
    }
  }

  /**
   * Crypto-shredding (R-RET-4): destroys the data key FIRST, so the recording is unreadable from that
   * instant everywhere (backups and replicas of the blob included); then open readers, the blob, the spool.
   */
  async shred(recordingId: string, why: { rule: RuleId; scope: string }): Promise<ShredReceipt> {
    checkRecordingId(recordingId);
    const writer = this.#writers.get(recordingId);
    if (writer) await writer.abort('shred');
    const keyDestroyed = await this.#d.keyStore.destroy(recordingId);
    const at = new Date(this.#d.clock.now()).toISOString();
    for (const r of [...(this.#readers.get(recordingId) ?? [])]) r.close();
    this.#readers.delete(recordingId);
    let blobDeleted = true;
    try {
      await this.#d.blobs.delete(blobKeyOf(recordingId));
    } catch (e) {
      blobDeleted = false;
      this.#d.log.warn(
        { recordingId, code: isEcouteError(e) ? e.code : undefined },
        'blob delete failed after shred',
      );
    }
    await unlink(this.#spoolPath(recordingId)).catch(() => undefined);
    this.#d.log.info({ recordingId, rule: why.rule, keyDestroyed, blobDeleted }, 'recording shredded');
    return { recordingId, at, rule: why.rule, scope: why.scope, keyDestroyed, blobDeleted };
  }

  /** Missing, corrupt and orphaned blobs (`ecoute vault verify`). */
  verify(opts: VerifyOptions = {}): Promise<VerifyReport> {
    return verifyVault(
      {
        keyStore: this.#d.keyStore,
        blobs: this.#d.blobs,
        open: (id) => this.openReader(id),
        spooling: async (id) => this.#writers.has(id) || (await exists(this.#spoolPath(id))),
      },
      opts,
    );
  }

  /** After a crash: seals every spool not being written, dropping torn tails; one failure stops no other. */
  async recoverSpools(): Promise<RecoveredSpool[]> {
    let names: string[];
    try {
      names = await readdir(this.#d.spoolDir);
    } catch {
      return [];
    }
    const out: RecoveredSpool[] = [];
    for (const name of names.sort()) {
      const m = /^([A-Za-z0-9_-]{1,128})\.spool$/.exec(name);
      if (!m?.[1] || this.#writers.has(m[1])) continue;
      out.push(await this.#recoverOne(m[1]));
    }
    return out;
  }

  async #recoverOne(recordingId: string): Promise<RecoveredSpool> {
    const path = this.#spoolPath(recordingId);
    try {
      if (!(await this.#d.keyStore.get(recordingId))) {
        // The key is gone (an objection or shred cut short before the unlink): the spool is unreadable noise.
        await unlink(path);
        this.#d.log.warn({ recordingId }, 'spool without a data key discarded');
        return { recordingId, outcome: 'discarded' };
      }
      const dataKey = await this.#d.keyRing.dataKey(recordingId);
      const repair = await repairSpool(path, recordingId, dataKey).finally(() => dataKey.fill(0));
      const sealed = await this.seal(recordingId);
      this.#d.log.warn({ recordingId, droppedBytes: repair.droppedBytes }, 'interrupted recording recovered');
      return { recordingId, outcome: 'sealed', sealed, droppedBytes: repair.droppedBytes };
    } catch (e) {
      const error = named(recordingId, e);
      this.#d.log.error({ recordingId, code: error.code }, 'spool recovery failed');
      return { recordingId, outcome: 'failed', error };
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function fileSource(path: string, size: number): RangeSource {
  return {
    size,
    read: async (start, end) => {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(end - start);
        await fh.read(buf, 0, buf.length, start);
        return buf;
      } finally {
        await fh.close();
      }
    },
  };
}

async function* hashed(path: string, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for await (const part of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
      const b = part as Buffer;
      hash.update(b);
      yield b;
    }
  } finally {
    await fh.close();
  }
}
