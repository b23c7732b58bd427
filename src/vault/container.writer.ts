/**
 * Writes a whole re-encoded container (nonce domain 1) to a local file: the header with a fresh random
 * salt, then the plaintext given to `write`, cut into chunks and sealed as it comes. Used by the sealing
 * worker for the temporary `<id>.sealing` file; nothing here is durable until the caller uploads it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import {
  DOMAIN_ENCODED,
  FLAG_FINAL,
  FLAG_RECOVERED,
  SALT_BYTES,
  chunkKeyOf,
  decodeHeader,
  encodeHeader,
  keyCheckOf,
  sealChunk,
} from './container.ts';

export interface ContainerFileOptions {
  readonly path: string;
  readonly recordingId: string;
  readonly dataKey: Uint8Array;
  readonly format: string;
  readonly chunkBytes: number;
  readonly createdMs: number;
}

const WRITE_BATCH = 1 << 20;

export class ContainerFileWriter {
  readonly #o: ContainerFileOptions;
  readonly #fh: FileHandle;
  readonly #key: Buffer;
  readonly #hash: Buffer;
  readonly #buf: Buffer;
  readonly #sha = createHash('sha256');
  #fill = 0;
  #index = 0;
  #offset = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  private constructor(o: ContainerFileOptions, fh: FileHandle, header: Buffer) {
    this.#o = o;
    this.#fh = fh;
    const decoded = decodeHeader(header, o.recordingId);
    this.#key = chunkKeyOf(o.dataKey, decoded.header);
    this.#hash = decoded.hash;
    this.#buf = Buffer.alloc(o.chunkBytes);
    this.#queue(header);
  }

  /** Creates the file (never over an existing one). */
  static async create(o: ContainerFileOptions): Promise<ContainerFileWriter> {
    const header = encodeHeader({
      recordingId: o.recordingId,
      chunkBytes: o.chunkBytes,
      format: o.format,
      keyCheck: keyCheckOf(o.dataKey),
      createdMs: o.createdMs,
      domain: DOMAIN_ENCODED,
      salt: randomBytes(SALT_BYTES).toString('hex'),
    });
    try {
      return new ContainerFileWriter(o, await open(o.path, 'wx', 0o600), header);
    } catch (e) {
      throw fail(
        VaultErrors.SEAL,
        'cannot create the sealing file',
        { recordingId: o.recordingId, errno: (e as NodeJS.ErrnoException).code },
        e,
      );
    }
  }

  /** Appends plaintext; writes sealed chunks out in batches. */
  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(this.#buf.length - this.#fill, bytes.length - at);
      this.#buf.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.#buf.length) this.#sealBuffered(0);
    }
    if (this.#pendingBytes >= WRITE_BATCH) await this.#drain();
  }

  /**
   * Seals the rest as the FINAL chunk (with RECOVERED when the source was an interrupted recording),
   * writes, syncs and closes. Resolves with the file's size and SHA-256.
   */
  async finish(interrupted: boolean): Promise<{ size: number; sha256: string }> {
    try {
      this.#sealBuffered(FLAG_FINAL | (interrupted ? FLAG_RECOVERED : 0));
      await this.#drain();
      await this.#fh.datasync();
    } finally {
      await this.close();
    }
    return { size: this.#offset, sha256: this.#sha.digest('hex') };
  }

  /** Closes the file and forgets the key; idempotent. The caller removes the file. */
  async close(): Promise<void> {
    this.#key.fill(0);
    this.#buf.fill(0);
    await this.#fh.close().catch(() => undefined);
  }

  #sealBuffered(flags: number): void {
    const plain = this.#buf.subarray(0, this.#fill);
    this.#queue(sealChunk(this.#key, this.#hash, this.#index++, flags, plain, DOMAIN_ENCODED));
    this.#fill = 0;
  }

  #queue(b: Buffer): void {
    this.#pending.push(b);
    this.#pendingBytes += b.length;
  }

  async #drain(): Promise<void> {
    if (this.#pending.length === 0) return;
    const buf = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      const { bytesWritten } = await this.#fh.write(buf, 0, buf.length, this.#offset);
      if (bytesWritten !== buf.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    } catch (e) {
      throw fail(
        VaultErrors.SEAL,
        'cannot write the sealing file',
        { recordingId: this.#o.recordingId, errno: (e as NodeJS.ErrnoException).code },
        e,
      );
    }
    this.#sha.update(buf);
    this.#offset += buf.length;
  }
}
