/**
 * BlobStore on an S3-compatible object store (AWS S3, Swift s3api, Ceph RGW...). Path-style addressing,
 * bucket created if missing, ranged GETs for playback, multipart upload for streamed bodies.
 */
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { fail, isEcouteError, type EcouteError } from '../../errors.ts';
import { eachBounded } from '../bounded.ts';
import { VaultErrors } from '../errors.ts';
import type { BlobInfo, BlobStore } from '../vault.ports.ts';

export interface S3StoreOptions {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  /** Attempts per request (SDK retries with back-off); default 3. */
  readonly maxAttempts?: number;
  /** Per-request timeout in ms; default 30 s. */
  readonly requestTimeoutMs?: number;
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(e: unknown): boolean {
  const name = (e as { name?: string }).name;
  return status(e) === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket';
}

/** S3 DeleteObjects takes at most 1000 keys per request. */
const MULTI_DELETE_MAX = 1000;

/**
 * DeleteObjects requires Content-MD5 (S3 API reference, DeleteObjects). The SDK now sends a CRC32 checksum
 * instead, which AWS accepts and most S3-compatible servers (Swift s3api, MinIO, Ceph) refuse with
 * "Missing required header for this request: Content-MD5" (aws-sdk-js-v3 supplemental-docs/MD5_FALLBACK.md).
 */
function withContentMd5(cmd: DeleteObjectsCommand): DeleteObjectsCommand {
  cmd.middlewareStack.add(
    (next) => (args) => {
      const req = args.request as { headers?: Record<string, string>; body?: unknown };
      if (req.headers && (typeof req.body === 'string' || req.body instanceof Uint8Array))
        req.headers['content-md5'] = createHash('md5').update(req.body).digest('base64');
      return next(args);
    },
    { step: 'build', name: 'ecouteContentMd5' },
  );
  return cmd;
}

export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly #client: S3Client;
  readonly #bucket: string;
  #ready: Promise<void> | undefined;

  constructor(o: S3StoreOptions) {
    this.#bucket = o.bucket;
    this.#client = new S3Client({
      endpoint: o.endpoint,
      region: o.region,
      forcePathStyle: true,
      maxAttempts: o.maxAttempts ?? 3,
      requestHandler: { requestTimeout: o.requestTimeoutMs ?? 30_000, connectionTimeout: 5_000 },
      ...(o.accessKeyId && o.secretAccessKey
        ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
        : {}),
    });
  }

  #unavailable(key: string, e: unknown): EcouteError {
    if (isEcouteError(e)) return e;
    return fail(
      VaultErrors.BLOB_UNAVAILABLE,
      'S3 blob store failed',
      { blobKey: key, bucket: this.#bucket, status: status(e), error: (e as Error).name },
      e,
    );
  }

  /** Creates the bucket on first use if it does not exist. */
  #ensureBucket(): Promise<void> {
    this.#ready ??= (async () => {
      try {
        await this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
        await this.#client.send(new CreateBucketCommand({ Bucket: this.#bucket }));
      }
    })().catch((e: unknown) => {
      this.#ready = undefined; // try again next time (the server may come back)
      throw e;
    });
    return this.#ready;
  }

  async put(key: string, body: Uint8Array | AsyncIterable<Uint8Array>, size?: number): Promise<void> {
    try {
      await this.#ensureBucket();
      if (body instanceof Uint8Array) {
        await this.#client.send(new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body }));
        return;
      }
      const upload = new Upload({
        client: this.#client,
        params: { Bucket: this.#bucket, Key: key, Body: Readable.from(body), ContentLength: size },
        partSize: 8 * 1024 * 1024,
        queueSize: 2,
        leavePartsOnError: false,
      });
      await upload.done();
    } catch (e) {
      throw this.#unavailable(key, e);
    }
  }

  async getRange(key: string, start: number, endExclusive: number): Promise<Uint8Array> {
    if (start < 0 || endExclusive < start)
      throw fail(VaultErrors.RANGE, 'bad blob range', { blobKey: key, start, endExclusive });
    if (endExclusive === start) return new Uint8Array(0);
    try {
      const r = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key, Range: `bytes=${start}-${endExclusive - 1}` }),
      );
      const bytes = await r.Body!.transformToByteArray();
      if (bytes.length !== endExclusive - start)
        throw fail(VaultErrors.RANGE, 'range past the end of the blob', {
          blobKey: key,
          start,
          endExclusive,
        });
      return bytes;
    } catch (e) {
      if (isNotFound(e)) throw fail(VaultErrors.BLOB_MISSING, 'blob not found', { blobKey: key });
      if (status(e) === 416)
        throw fail(VaultErrors.RANGE, 'range past the end of the blob', {
          blobKey: key,
          start,
          endExclusive,
        });
      throw this.#unavailable(key, e);
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    try {
      const r = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return { size: r.ContentLength ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw this.#unavailable(key, e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (e) {
      if (!isNotFound(e)) throw this.#unavailable(key, e);
    }
  }

  /**
   * Bulk delete: one DeleteObjects request per 1000 keys (Swift s3api's multi-delete, `max_multi_delete_objects`
   * 1000 by default), 4 in flight. A key the server reports as failed, or every key of a request that
   * failed as a whole, is returned; absent keys (and a missing bucket) count as deleted.
   */
  async deleteMany(keys: readonly string[]): Promise<Map<string, EcouteError>> {
    const failed = new Map<string, EcouteError>();
    const requests: string[][] = [];
    for (let at = 0; at < keys.length; at += MULTI_DELETE_MAX)
      requests.push(keys.slice(at, at + MULTI_DELETE_MAX));
    await eachBounded(requests, 4, async (batch) => {
      const cmd = withContentMd5(
        new DeleteObjectsCommand({
          Bucket: this.#bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      try {
        const r = await this.#client.send(cmd);
        for (const err of r.Errors ?? []) {
          if (!err.Key || err.Code === 'NoSuchKey') continue;
          failed.set(
            err.Key,
            fail(VaultErrors.BLOB_UNAVAILABLE, 'S3 blob store failed', {
              blobKey: err.Key,
              bucket: this.#bucket,
              error: err.Code,
            }),
          );
        }
      } catch (e) {
        if (isNotFound(e)) return; // no bucket: nothing stored
        for (const key of batch) failed.set(key, this.#unavailable(key, e));
      }
    });
    return failed;
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (e) {
        if (isNotFound(e)) return; // no bucket yet: nothing stored
        throw this.#unavailable(prefix, e);
      }
      for (const o of page.Contents ?? []) if (o.Key) yield o.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Releases sockets. */
  close(): void {
    this.#client.destroy();
  }
}
