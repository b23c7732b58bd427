/**
 * The vault service: spools in-progress recordings, seals them into the blob store, serves byte ranges,
 * shreds (R-RET-4), verifies and recovers after a crash. Takes its ports as one object (STYLE.md §4).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { EcouteError, fail, isEcouteError, type RuleId } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import { bytesPerSecond, checkFormat } from './container.ts';
import { ContainerReader } from './container.reader.ts';
import { fileSource, hashedFile } from './files.ts';
import type { KeyRing } from './keyring.ts';
import { blobKeyOf, checkRecordingId } from './ids.ts';
import { OPUS_FORMAT, SPOOL_FORMAT } from './opus.encode.ts';
import { BlockCache, OpusReader } from './opus.reader.ts';
import { sealOpus } from './opus.seal.ts';
import { sharedSealPool, type Sealer } from './seal.pool.ts';
import { SpoolWriter, type SealedInfo } from './spool.ts';
import { repairSpool } from './spool.recovery.ts';
import { verifyVault, type VerifyOptions, type VerifyReport } from './vault.verify.ts';
import type { BlobStore, KeyStore } from './vault.ports.ts';

export type { SealedInfo, VerifyReport, VerifyOptions };

/** How a finished 'pcmu/8000/2' recording is stored (config `vault.storage`). */
export type StorageCodec = 'opus' | 'pcmu';
export const DEFAULT_OPUS_BITRATE = 14_000;
export const DEFAULT_OPUS_COMPLEXITY = 9;
/** Spools sealed at once by `recoverSpools`. */
const RECOVER_PARALLEL = 4;

export interface VaultDeps {
  readonly keyRing: KeyRing;
  readonly keyStore: KeyStore;
  readonly blobs: BlobStore;
  readonly spoolDir: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Spool chunk length in ms (config `vault.chunkMs`, default 1000): the most a crash can lose. */
  readonly chunkMs?: number;
  /** 'opus' (default): stereo µ-law spools are re-encoded to Opus when sealed; 'pcmu': stored as spooled. */
  readonly storage?: StorageCodec;
  /** Opus bits per second per channel (config `vault.opusBitrate`, default 14,000). */
  readonly opusBitrate?: number;
  /** Opus encoder complexity 0..10 (config `vault.opusComplexity`, default 9). */
  readonly opusComplexity?: number;
  /** Where re-encoding runs; default: the process's shared pool of sealing child processes. */
  readonly sealer?: Sealer;
}

export interface OpenSpoolOptions {
  /** `codec/rate/channels`, e.g. `pcmu/8000/2` (stereo interleaved µ-law, channel 0 = agent). */
  readonly format: string;
  /** Plaintext bytes per chunk; default: `chunkMs` of audio for raw formats (required otherwise). */
  readonly chunkBytes?: number;
  readonly onError?: (e: EcouteError) => void;
  readonly onDurable?: (chunks: number) => void;
}

/**
 * Random access to a recording's plaintext, for HTTP range playback. An Opus-stored recording reads as
 * the 'pcmu/8000/2' it was spooled as (decoded on the fly), so every consumer sees one format.
 */
export interface VaultReader {
  readonly recordingId: string;
  /** Plaintext bytes (for 'pcmu/8000/2': interleaved stereo µ-law, 16,000 per second). */
  readonly size: number;
  readonly format: string;
  readonly interrupted: boolean;
  read(start: number, endExclusive: number): Promise<Buffer>;
  /** Authenticates every chunk and checks the stored media structure; decodes no audio. */
  verify(): Promise<void>;
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
  /** Decoded Opus blocks of recent reads (opus.reader.ts); a shred wipes a recording's. */
  readonly #blocks = new BlockCache();

  constructor(deps: VaultDeps) {
    this.#d = deps;
  }

  #spoolPath(id: string): string {
    return join(this.#d.spoolDir, `${checkRecordingId(id)}.spool`);
  }

  /** The re-encoded container while it is written and uploaded: a temporary file next to the spool. */
  #sealingPath(id: string): string {
    return join(this.#d.spoolDir, `${checkRecordingId(id)}.sealing`);
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
    let reader: ContainerReader;
    try {
      const src = await fileSource(path);
      try {
        reader = await ContainerReader.open(src, dataKey, recordingId);
      } finally {
        await src.close();
      }
      reader.close();
      if ((this.#d.storage ?? 'opus') === 'opus' && reader.header.format === SPOOL_FORMAT)
        return await sealOpus(
          {
            blobs: this.#d.blobs,
            sealer: this.#d.sealer ?? sharedSealPool(),
            log: this.#d.log,
            bitrate: this.#d.opusBitrate ?? DEFAULT_OPUS_BITRATE,
            complexity: this.#d.opusComplexity ?? DEFAULT_OPUS_COMPLEXITY,
          },
          recordingId,
          { spool: path, sealing: this.#sealingPath(recordingId) },
          dataKey,
        );
    } catch (e) {
      throw named(recordingId, e);
    } finally {
      dataKey.fill(0);
    }
    const hash = createHash('sha256');
    try {
      await this.#d.blobs.put(blobKey, hashedFile(path, hash), size);
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
    let media: ContainerReader | OpusReader = inner;
    if (inner.header.format === OPUS_FORMAT)
      media = await OpusReader.open(inner, this.#blocks).catch((e: unknown) => {
        inner.close();
        throw named(recordingId, e);
      });
    const m = media;
    const set = this.#readers.get(recordingId) ?? new Set<VaultReader>();
    this.#readers.set(recordingId, set);
    const reader: VaultReader = {
      recordingId,
      size: m.size,
      format: m instanceof OpusReader ? m.format : inner.header.format,
      interrupted: m.interrupted,
      read: (s, e) => m.read(s, e).catch((err: unknown) => Promise.reject(named(recordingId, err))),
      verify: () =>
        (m instanceof OpusReader ? m.verify() : m.verifyAll()).catch((err: unknown) =>
          Promise.reject(named(recordingId, err)),
        ),
      close: () => {
        m.close();
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
    const [receipt] = await this.shredMany([recordingId], why);
    return receipt as ShredReceipt;
  }

  /**
   * `shred` for a batch (the retention purge): writers aborted, then every key destroyed in one key-store
   * operation (R-RET-4: from that instant no copy is readable), then readers closed, blobs deleted in bulk
   * and spools unlinked. A blob that cannot be deleted fails nothing: its receipt says `blobDeleted: false`
   * and `verify` reports it orphaned. A key store failure rejects: nothing may be reported deleted then.
   */
  async shredMany(ids: readonly string[], why: { rule: RuleId; scope: string }): Promise<ShredReceipt[]> {
    const unique = [...new Set(ids)];
    for (const id of unique) checkRecordingId(id);
    for (const id of unique) await this.#writers.get(id)?.abort('shred');
    const destroyed = await this.#d.keyStore.destroyMany(unique);
    const at = new Date(this.#d.clock.now()).toISOString();
    for (const id of unique) {
      for (const r of [...(this.#readers.get(id) ?? [])]) r.close();
      this.#readers.delete(id);
      this.#blocks.forget(id);
    }
    const failed = await this.#deleteBlobs(unique);
    await this.#unlinkSpools(unique);
    const log = this.#d.log;
    for (const [id, e] of failed)
      log.warn({ recordingId: id, code: e.code }, 'blob delete failed after shred');
    if (unique.length === 1)
      log.info(
        {
          recordingId: unique[0],
          rule: why.rule,
          keyDestroyed: destroyed.size === 1,
          blobDeleted: failed.size === 0,
        },
        'recording shredded',
      );
    else
      log.info(
        {
          recordings: unique.length,
          rule: why.rule,
          keysDestroyed: destroyed.size,
          blobsFailed: failed.size,
        },
        'recordings shredded',
      );
    return unique.map((recordingId) => ({
      recordingId,
      at,
      rule: why.rule,
      scope: why.scope,
      keyDestroyed: destroyed.has(recordingId),
      blobDeleted: !failed.has(recordingId),
    }));
  }

  /** Failed deletions by recording id; a store that rejects outright fails every blob of the batch. */
  async #deleteBlobs(ids: readonly string[]): Promise<Map<string, EcouteError>> {
    const byKey = new Map(ids.map((id) => [blobKeyOf(id), id]));
    let failed: Map<string, EcouteError>;
    try {
      failed = await this.#d.blobs.deleteMany([...byKey.keys()]);
    } catch (e) {
      const err = isEcouteError(e)
        ? e
        : fail(VaultErrors.BLOB_UNAVAILABLE, 'unexpected storage failure', {}, e);
      failed = new Map([...byKey.keys()].map((k) => [k, err]));
    }
    return new Map([...failed].map(([key, e]) => [byKey.get(key) ?? key, e]));
  }

  /** Unlinks the spool files of these recordings (one directory listing, not one failed unlink per id). */
  async #unlinkSpools(ids: readonly string[]): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#d.spoolDir);
    } catch {
      return; // no spool directory: nothing was ever spooled here
    }
    const present = new Set(names);
    for (const id of ids) {
      if (present.has(`${id}.spool`)) await unlink(this.#spoolPath(id)).catch(() => undefined);
      if (present.has(`${id}.sealing`)) await unlink(this.#sealingPath(id)).catch(() => undefined);
    }
  }

  /** At shutdown, once every call is sealed: stops this vault's own encoder processes (not the shared pool). */
  close(): void {
    this.#d.sealer?.close?.();
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

  /**
   * After a crash: seals every spool not being written, dropping torn tails; one failure stops no other.
   * Re-encoding takes time (about 20-30 s of CPU per call-hour), so up to RECOVER_PARALLEL spools are sealed
   * at once (the sealing pool bounds the encoders); results keep the spools' name order.
   */
  async recoverSpools(): Promise<RecoveredSpool[]> {
    let names: string[];
    try {
      names = await readdir(this.#d.spoolDir);
    } catch {
      return [];
    }
    const ids: string[] = [];
    for (const name of names.sort()) {
      const m = /^([A-Za-z0-9_-]{1,128})\.(spool|sealing)$/.exec(name);
      const id = m?.[1];
      if (!id || this.#writers.has(id)) continue;
      if (m[2] === 'spool') ids.push(id);
      // A sealing file without its spool was left between the upload and its own removal: encrypted, useless.
      else if (!names.includes(`${id}.spool`))
        await unlink(join(this.#d.spoolDir, name)).catch(() => undefined);
    }
    const out: RecoveredSpool[] = new Array<RecoveredSpool>(ids.length);
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let i = next++; i < ids.length; i = next++) out[i] = await this.#recoverOne(ids[i] as string);
    };
    await Promise.all(Array.from({ length: Math.min(RECOVER_PARALLEL, ids.length) }, lane));
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
