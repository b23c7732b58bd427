/**
 * BlobStore on the local filesystem, under `<dataDir>/blobs`: each put writes a temp file, fsyncs it,
 * renames it into place and fsyncs the directory, so a crash leaves the old blob or the new one, whole.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fail, isEcouteError, type EcouteError } from '../../errors.ts';
import { eachBounded } from '../bounded.ts';
import { VaultErrors } from '../errors.ts';
import type { BlobInfo, BlobStore } from '../vault.ports.ts';

const KEY = /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9._/-]{0,511}$/;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs';
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  #path(key: string): string {
    if (!KEY.test(key) || key.endsWith('/'))
      throw fail(VaultErrors.BLOB_UNAVAILABLE, 'invalid blob key', { blobKey: key });
    return join(this.#root, key);
  }

  #unavailable(key: string, e: unknown): EcouteError {
    if (isEcouteError(e)) return e;
    return fail(
      VaultErrors.BLOB_UNAVAILABLE,
      'filesystem blob store failed',
      { blobKey: key, errno: code(e) },
      e,
    );
  }

  async put(key: string, body: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    const path = this.#path(key);
    const tmpDir = join(this.#root, '.tmp');
    const tmp = join(tmpDir, randomBytes(8).toString('hex'));
    try {
      await mkdir(tmpDir, { recursive: true });
      await mkdir(dirname(path), { recursive: true });
      const fh = await open(tmp, 'wx', 0o600);
      try {
        if (body instanceof Uint8Array) await fh.writeFile(body);
        else for await (const part of body) await fh.write(part);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
      const d = await open(dirname(path), 'r');
      await d.sync().finally(() => d.close());
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw this.#unavailable(key, e);
    }
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    const path = this.#path(key);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if (code(e) === 'ENOENT') throw fail(VaultErrors.BLOB_MISSING, 'blob not found', { blobKey: key });
      throw this.#unavailable(key, e);
    }
    try {
      const length = endExclusive - start;
      if (start < 0 || length < 0)
        throw fail(VaultErrors.RANGE, 'bad blob range', { blobKey: key, start, endExclusive });
      const out = Buffer.allocUnsafe(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(out, got, length - got, start + got);
        if (bytesRead === 0)
          throw fail(VaultErrors.RANGE, 'range past the end of the blob', {
            blobKey: key,
            start,
            endExclusive,
          });
        got += bytesRead;
      }
      return out;
    } catch (e) {
      throw this.#unavailable(key, e);
    } finally {
      await fh.close();
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    try {
      return { size: (await stat(this.#path(key))).size };
    } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      throw this.#unavailable(key, e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#path(key));
    } catch (e) {
      if (code(e) !== 'ENOENT') throw this.#unavailable(key, e);
    }
  }

  /** Unlinks 32 at a time; a blob that cannot be unlinked is reported, the others still go. */
  async deleteMany(keys: readonly string[]): Promise<Map<string, EcouteError>> {
    const failed = new Map<string, EcouteError>();
    await eachBounded(keys, 32, async (key) => {
      try {
        await this.delete(key);
      } catch (e) {
        failed.set(key, isEcouteError(e) ? e : this.#unavailable(key, e));
      }
    });
    return failed;
  }

  async *list(prefix: string): AsyncIterable<string> {
    const walk = async function* (dir: string, rel: string): AsyncGenerator<string> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (code(e) === 'ENOENT') return;
        throw e;
      }
      for (const e of entries) {
        if (e.name === '.tmp') continue;
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) yield* walk(join(dir, e.name), key);
        else yield key;
      }
    };
    // Walk from the deepest directory the prefix names, then filter on the full prefix.
    const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    for await (const key of walk(base ? join(this.#root, base) : this.#root, base))
      if (key.startsWith(prefix)) yield key;
  }
}
