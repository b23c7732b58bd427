/**
 * KeyStore on the filesystem: one small file per recording under a directory, written atomically and
 * fsync'd; destroy overwrites then unlinks it (R-RET-4). For the embedded tools and tests; the metadata
 * store provides the production KeyStore (table data_keys).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import type { KeyStore, WrappedKey } from './vault.ports.ts';
import { checkRecordingId } from './ids.ts';
import { eachBounded } from './bounded.ts';

const SUFFIX = '.key';

export class FileKeyStore implements KeyStore {
  readonly #dir: string;
  #ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  #init(): Promise<void> {
    this.#ready ??= mkdir(this.#dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.#ready;
  }

  #path(id: string): string {
    return join(this.#dir, `${checkRecordingId(id)}${SUFFIX}`);
  }

  async #writeTemp(wrapped: Uint8Array, masterKeyId: string): Promise<string> {
    await this.#init();
    const tmp = join(this.#dir, `.tmp-${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify({ masterKeyId, wrapped: Buffer.from(wrapped).toString('base64') }));
      await fh.sync();
    } finally {
      await fh.close();
    }
    return tmp;
  }

  async #syncDir(): Promise<void> {
    const d = await open(this.#dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  async put(recordingId: string, wrapped: Uint8Array, masterKeyId: string): Promise<void> {
    const path = this.#path(recordingId);
    const tmp = await this.#writeTemp(wrapped, masterKeyId);
    try {
      await link(tmp, path); // link fails with EEXIST: never replace a key by accident
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST')
        throw fail(VaultErrors.KEY_EXISTS, 'a data key already exists', { recordingId });
      throw e;
    } finally {
      await unlink(tmp);
    }
    await this.#syncDir();
  }

  async get(recordingId: string): Promise<WrappedKey | undefined> {
    let text: string;
    try {
      text = await readFile(this.#path(recordingId), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const v = JSON.parse(text) as { masterKeyId: string; wrapped: string };
    return { masterKeyId: v.masterKeyId, wrapped: Buffer.from(v.wrapped, 'base64') };
  }

  async destroy(recordingId: string): Promise<boolean> {
    const had = await this.#shred(this.#path(recordingId));
    if (had) await this.#syncDir();
    return had;
  }

  /** R-RET-4: every key overwritten and unlinked (16 at a time), then one directory fsync for the batch. */
  async destroyMany(recordingIds: readonly string[]): Promise<Set<string>> {
    const paths = new Map(recordingIds.map((id) => [id, this.#path(id)]));
    const destroyed = new Set<string>();
    let error: Error | undefined;
    await eachBounded([...paths], 16, async ([id, path]) => {
      try {
        if (await this.#shred(path)) destroyed.add(id);
      } catch (e) {
        error ??= e instanceof Error ? e : new Error(String(e));
      }
    });
    if (destroyed.size > 0) await this.#syncDir();
    // A key that could not be destroyed fails the batch: nothing may be reported deleted while it is readable.
    if (error !== undefined) throw error;
    return destroyed;
  }

  /** Overwrites then unlinks one key file; false if there was none. */
  async #shred(path: string): Promise<boolean> {
    let fh;
    try {
      fh = await open(path, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    try {
      // Overwrite before unlinking; best effort on copy-on-write or flash storage (docs/vault-format.md).
      const { size } = await fh.stat();
      await fh.write(Buffer.alloc(size), 0, size, 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await unlink(path);
    return true;
  }

  async replace(recordingId: string, wrapped: Uint8Array, masterKeyId: string): Promise<void> {
    if (!(await this.get(recordingId)))
      throw fail(VaultErrors.KEY_MISSING, 'no data key to replace', { recordingId });
    const tmp = await this.#writeTemp(wrapped, masterKeyId);
    await rename(tmp, this.#path(recordingId));
    await this.#syncDir();
  }

  async *listIds(masterKeyId?: string): AsyncIterable<string> {
    await this.#init();
    for (const name of await readdir(this.#dir)) {
      if (!name.endsWith(SUFFIX) || name.startsWith('.')) continue;
      const id = name.slice(0, -SUFFIX.length);
      if (masterKeyId !== undefined && (await this.get(id))?.masterKeyId !== masterKeyId) continue;
      yield id;
    }
  }
}
