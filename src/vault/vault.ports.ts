/**
 * The vault's ports (STYLE.md §2). The metadata store implements `KeyStore` on its `data_keys` table;
 * `FileKeyStore` (file.keystore.ts) is the embedded adapter for tools and tests. Blob stores: fs/ and s3/.
 */
import type { EcouteError } from '../errors.ts';

/** A recording's wrapped data key and the master key that wrapped it (R-SEC-4). */
export interface WrappedKey {
  /** The data key sealed by the master key; opaque to the store. */
  readonly wrapped: Uint8Array;
  /** Id of the master key (KeyRing `keyId`) that wrapped it; rotation rewrites both fields. */
  readonly masterKeyId: string;
}

/**
 * Where wrapped data keys live, one per recording. Destroying the key is the deletion of the recording
 * (crypto-shredding, R-RET-4): after `destroy` resolves, the store must not return the key again, from any
 * replica it controls.
 */
export interface KeyStore {
  /** Stores a new key; fails if one already exists for this recording (keys are never silently replaced). */
  put(recordingId: string, wrapped: Uint8Array, masterKeyId: string): Promise<void>;
  get(recordingId: string): Promise<WrappedKey | undefined>;
  /** Destroys the key; resolves true if there was one. */
  destroy(recordingId: string): Promise<boolean>;
  /**
   * Destroys the keys of many recordings in one operation (the retention purge, R-RET-4); resolves with
   * the ids that had a key. An absent key is not an error: a purge interrupted after this call converges
   * on the next run, which finds the key already gone.
   */
  destroyMany(recordingIds: readonly string[]): Promise<Set<string>>;
  /** Re-wrapped key after a master key rotation (same data key, new wrapping); fails if absent. */
  replace(recordingId: string, wrapped: Uint8Array, masterKeyId: string): Promise<void>;
  /** Every recording id with a key, optionally only those wrapped by one master key. */
  listIds(masterKeyId?: string): AsyncIterable<string>;
}

/** Size of a stored blob, in bytes. */
export interface BlobInfo {
  readonly size: number;
}

/**
 * An object store for sealed containers. Keys are relative paths such as `recordings/<id>.ecvt`.
 * `put` is atomic: a reader sees the whole blob or nothing, never a partial one.
 */
export interface BlobStore {
  /** Human label for logs and reports (`fs`, `s3`). */
  readonly kind: string;
  /** Stores (or replaces) a blob; `size` is a hint in bytes when the body is a stream. */
  put(key: string, body: Uint8Array | AsyncIterable<Uint8Array>, size?: number): Promise<void>;
  /** Bytes [start, endExclusive) of a blob; fails with BLOB_MISSING if absent, BLOB_RANGE if out of range. */
  getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array>;
  head(key: string): Promise<BlobInfo | undefined>;
  /** Deletes a blob; deleting an absent blob is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Deletes many blobs (bounded concurrency, or the store's bulk delete). Never rejects for a blob it
   * could not delete: resolves with those keys and the error for each; absent blobs count as deleted.
   */
  deleteMany(keys: readonly string[]): Promise<Map<string, EcouteError>>;
  /** Every key under a prefix, in no particular order. */
  list(prefix: string): AsyncIterable<string>;
}

/**
 * A master key (key-encryption key) holder: the local key file or environment key by default, a KMS
 * through this port (docs/vault-format.md, "Plugging a KMS"). `aad` binds a wrapped key to its recording.
 */
export interface MasterKeyProvider {
  /** Stable id of the master key, stored beside every key it wraps. */
  readonly id: string;
  wrap(dataKey: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** Fails (any error) if the key was not wrapped by this master key for this `aad`. */
  unwrap(wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
}
