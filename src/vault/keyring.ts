/**
 * The key ring (R-SEC-4): one random data key per recording, stored only wrapped by a master key (KEK).
 * The master key comes from config (`vault.masterKey`), from `<dataDir>/keys/master.key` (created 0600 on
 * first start), or from a KMS through `MasterKeyProvider`. Rotation re-wraps data keys, never audio.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';
import type { KeyStore, MasterKeyProvider, WrappedKey } from './vault.ports.ts';

const WRAP_VERSION = 1;

/** The local master key: AES-256-GCM wrap with a random nonce; layout `v1 | nonce 12 | ct 32 | tag 16`. */
export class LocalMasterKey implements MasterKeyProvider {
  readonly id: string;
  readonly #key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw fail(VaultErrors.MASTER_KEY, 'master key must be 32 bytes');
    this.#key = Buffer.from(key);
    this.id = createHash('sha256').update(this.#key).digest().subarray(0, 8).toString('hex');
  }

  static fromBase64(text: string): LocalMasterKey {
    const key = Buffer.from(text.trim(), 'base64');
    if (key.length !== 32 || key.toString('base64') !== text.trim().replace(/\s/g, ''))
      throw fail(VaultErrors.MASTER_KEY, 'master key must be 32 bytes in base64');
    return new LocalMasterKey(key);
  }

  wrap(dataKey: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, nonce);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(dataKey), c.final()]);
    return Promise.resolve(Buffer.concat([Buffer.of(WRAP_VERSION), nonce, ct, c.getAuthTag()]));
  }

  unwrap(wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const w = Buffer.from(wrapped);
    if (w.length !== 61 || w[0] !== WRAP_VERSION) return Promise.reject(new Error('bad wrapped key'));
    const d = createDecipheriv('aes-256-gcm', this.#key, w.subarray(1, 13));
    d.setAAD(aad);
    d.setAuthTag(w.subarray(45));
    return Promise.resolve(Buffer.concat([d.update(w.subarray(13, 45)), d.final()]));
  }
}

/**
 * The embedded master key: `vault.masterKey` if set, else the key file, created on first start with mode
 * 0600 (O_EXCL, fsync'd). A key file readable by group or others is refused.
 */
export async function loadLocalMasterKey(opts: {
  masterKey: string | undefined;
  dataDir: string;
}): Promise<LocalMasterKey> {
  if (opts.masterKey) return LocalMasterKey.fromBase64(opts.masterKey);
  const dir = join(opts.dataDir, 'keys');
  const path = join(dir, 'master.key');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(`${randomBytes(32).toString('base64')}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
      throw fail(VaultErrors.MASTER_KEY, 'cannot create the master key file', { path }, e);
  }
  try {
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0)
      throw fail(VaultErrors.MASTER_KEY, 'master key file is readable by others: chmod 600 it', { path });
    return LocalMasterKey.fromBase64(await readFile(path, 'utf8'));
  } catch (e) {
    throw e instanceof Error && 'code' in e && String(e.code).startsWith('ECOUTE_')
      ? e
      : fail(VaultErrors.MASTER_KEY, 'cannot read the master key file', { path }, e);
  }
}

/** Binds a wrapped key to its recording: a wrapped key copied to another recording does not unwrap. */
function aadFor(recordingId: string): Buffer {
  return Buffer.from(`ecoute/data-key/v1/${recordingId}`, 'utf8');
}

export interface RotationReport {
  readonly rewrapped: number;
  readonly alreadyCurrent: number;
}

export class KeyRing {
  #current: MasterKeyProvider;
  readonly #byId = new Map<string, MasterKeyProvider>();
  readonly #keyStore: KeyStore;

  /** `previous`: older master keys still able to unwrap (needed until a rotation completes). */
  constructor(opts: {
    current: MasterKeyProvider;
    previous?: readonly MasterKeyProvider[];
    keyStore: KeyStore;
  }) {
    this.#current = opts.current;
    this.#keyStore = opts.keyStore;
    for (const p of [...(opts.previous ?? []), opts.current]) this.#byId.set(p.id, p);
  }

  /** Id of the master key that wraps new data keys. */
  get keyId(): string {
    return this.#current.id;
  }

  /** A fresh random data key for a recording, stored wrapped before it is used (R-SEC-4). */
  async createDataKey(recordingId: string): Promise<Buffer> {
    const dataKey = randomBytes(32);
    const wrapped = await this.#current.wrap(dataKey, aadFor(recordingId));
    await this.#keyStore.put(recordingId, wrapped, this.#current.id);
    return dataKey;
  }

  /** The recording's data key; KEY_MISSING after a shred (R-RET-4), UNWRAP if the master key cannot open it. */
  async dataKey(recordingId: string): Promise<Buffer> {
    const stored = await this.#keyStore.get(recordingId);
    if (!stored) throw fail(VaultErrors.KEY_MISSING, 'no data key for this recording', { recordingId });
    return this.#unwrap(recordingId, stored);
  }

  async #unwrap(recordingId: string, stored: WrappedKey): Promise<Buffer> {
    const provider = this.#byId.get(stored.masterKeyId);
    if (!provider)
      throw fail(VaultErrors.UNWRAP, 'data key wrapped by an unknown master key', {
        recordingId,
        masterKeyId: stored.masterKeyId,
      });
    try {
      return Buffer.from(await provider.unwrap(stored.wrapped, aadFor(recordingId)));
    } catch (e) {
      throw fail(
        VaultErrors.UNWRAP,
        'data key does not unwrap',
        { recordingId, masterKeyId: provider.id },
        e,
      );
    }
  }

  /**
   * Makes `next` the current master key and re-wraps every data key under it; audio is not touched.
   * Resumable: keys already under `next` are skipped, so a rotation cut short is finished by running it again.
   */
  async rotate(next: MasterKeyProvider): Promise<RotationReport> {
    this.#byId.set(next.id, next);
    this.#current = next;
    const ids: string[] = [];
    for await (const id of this.#keyStore.listIds()) ids.push(id);
    let rewrapped = 0;
    let alreadyCurrent = 0;
    for (const id of ids) {
      const stored = await this.#keyStore.get(id);
      if (!stored) continue; // shredded meanwhile
      if (stored.masterKeyId === next.id) {
        alreadyCurrent++;
        continue;
      }
      const dataKey = await this.#unwrap(id, stored);
      await this.#keyStore.replace(id, await next.wrap(dataKey, aadFor(id)), next.id);
      dataKey.fill(0);
      rewrapped++;
    }
    return { rewrapped, alreadyCurrent };
  }
}
