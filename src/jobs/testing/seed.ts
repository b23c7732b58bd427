/**
 * Test and bench fixture: many sealed recordings past their expiry, inserted in bulk into a real store
 * (a call with its customer number, the recording row, a wrapped data key in `data_keys`) with a blob in a
 * real blob store. The keys are random bytes, not wrapped by a master key: a purge never unwraps them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../db/index.ts';
import { eachBounded } from '../../vault/bounded.ts';
import { blobKeyOf } from '../../vault/ids.ts';
import type { BlobStore } from '../../vault/vault.ports.ts';

const DAY_MS = 86_400_000;
/** Rows per INSERT: 27 columns × 400 stays under SQLite's 32,766 bind parameters. */
const ROWS = 400;

export interface SeedOptions {
  readonly n: number;
  /** Expiry of the first recording; the next ones 1 ms later each (default: 17 days before `now`). */
  readonly expiresAt?: number;
  readonly now: number;
  /** Only the keys: no blob, no call or recording rows (the bench's baseline). */
  readonly keysOnly?: boolean;
  /** Writes a blob (default `blobs.put`; the bench writes files without fsync to seed faster). */
  readonly putBlob?: (key: string, body: Uint8Array) => Promise<void>;
  /** Bytes of each blob (default 1024). */
  readonly blobBytes?: number;
}

/** Returns the recording ids, oldest expiry first. */
export async function seedExpired(db: Db, blobs: BlobStore, o: SeedOptions): Promise<string[]> {
  const ids = Array.from({ length: o.n }, () => randomUUID());
  const startedAt = o.now - 200 * DAY_MS;
  const firstExpiry = o.expiresAt ?? o.now - 17 * DAY_MS;
  for (let at = 0; at < o.n; at += ROWS) {
    const slice = ids.slice(at, at + ROWS);
    await db.kysely
      .insertInto('dataKeys')
      .values(
        slice.map((recordingId) => ({
          recordingId,
          wrapped: randomBytes(60),
          masterKeyId: 'seed',
          createdAt: startedAt,
          rotatedAt: null,
        })),
      )
      .execute();
    if (o.keysOnly) continue;
    const put = o.putBlob ?? ((key, body) => blobs.put(key, body));
    await eachBounded(slice, 16, (id) => put(blobKeyOf(id), randomBytes(o.blobBytes ?? 1024)));
    const common = { startedAt, direction: 'inbound', queue: 'support', agentId: 'a1', team: 'support' };
    await db.kysely
      .insertInto('calls')
      .values(
        slice.map((id) => ({
          id: `call-${id}`,
          ...common,
          endedAt: startedAt + 1000,
          protocol: 'siprec',
          protocolIds: '{}',
          customerNumberEnc: 'sealed-number',
          customerHash: randomBytes(16).toString('hex'),
          noticeVersion: 2,
          noticeEndedAt: startedAt,
          decision: '{}',
        })),
      )
      .execute();
    await db.kysely
      .insertInto('recordings')
      .values(
        slice.map((id, i) => ({
          id,
          callId: `call-${id}`,
          ...common,
          customerHash: randomBytes(16).toString('hex'),
          state: 'sealed',
          policyId: 'qualite',
          policyVersion: 1,
          purposes: '["quality"]',
          endedAt: startedAt + 1000,
          durationMs: 1000,
          segments: '[]',
          channels: '[]',
          codec: 'pcmu/8000/2',
          sizeBytes: o.blobBytes ?? 1024,
          sha256: 'seeded',
          blobKey: blobKeyOf(id),
          expiresAt: firstExpiry + at + i,
          audioExpiresAt: null,
          writeOnce: 0,
          legalHoldId: null,
          createdAt: startedAt,
          updatedAt: startedAt,
        })),
      )
      .execute();
  }
  return ids;
}
