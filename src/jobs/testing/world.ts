/**
 * Test fixture: a real vault (master key file-less, data keys in the store's `data_keys` table, blobs on
 * the filesystem) over a real store, and `record()` that creates a recording exactly as the recorder
 * does: call row → recording row → spool → seal → sealed row with its retention dates.
 */
import { join } from 'node:path';
import { DAY_MS, type FakeClock } from '../../clock.ts';
import type { Db } from '../../db/index.ts';
import { encryptNumber, keyedHash } from '../../db/keyed-hash.ts';
import { silentLogger } from '../../log.ts';
import { FsBlobStore } from '../../vault/fs/fs.store.ts';
import { KeyRing, LocalMasterKey } from '../../vault/keyring.ts';
import { FIXTURE_MASTER_KEY } from '../../vault/testing/vault.fixture.ts';
import { Vault } from '../../vault/vault.ts';
import { DeletionService } from '../deletion.service.ts';

export const NUMBER_KEY = Buffer.alloc(32, 3);
export const NUMBER_ENC_KEY = Buffer.alloc(32, 5);

export interface RecordOptions {
  readonly id: string;
  readonly number?: string;
  readonly customerId?: string;
  readonly agentId?: string;
  readonly policyId?: string;
  readonly purposes?: readonly string[];
  /** Retention from the call's start, days. */
  readonly days: number;
  readonly reviewDays?: number;
  readonly writeOnce?: boolean;
  /** Bytes of stereo µ-law audio (default 1.5 s). */
  readonly bytes?: number;
}

export interface World {
  readonly db: Db;
  readonly clock: FakeClock;
  readonly vault: Vault;
  readonly blobs: FsBlobStore;
  readonly blobDir: string;
  readonly deletion: DeletionService;
  /** What the deletion service announced (the `recording.deleted` webhook's source). */
  readonly deleted: { recordingId: string; rule: string; what: string }[];
  record(o: RecordOptions): Promise<void>;
}

/** A 440 Hz tone on the agent channel and 660 Hz on the customer channel, µ-law interleaved. */
export function stereoTone(bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) {
    const n = i >> 1;
    const f = i & 1 ? 660 : 440;
    const s = Math.round(8000 * Math.sin((2 * Math.PI * f * n) / 8000));
    b[i] = ulaw(s);
  }
  return b;
}

function ulaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(32635, Math.abs(sample)) + 0x84;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; mask >>= 1) exp--;
  const mant = (s >> (exp + 3)) & 0x0f;
  s = ~(sign | (exp << 4) | mant);
  return s & 0xff;
}

/** `blobs`: a store of the caller's over `<dir>/blobs` (e.g. one that acts while a purge runs). */
export function makeWorld(db: Db, clock: FakeClock, dir: string, opts: { blobs?: FsBlobStore } = {}): World {
  const blobDir = join(dir, 'blobs');
  const blobs = opts.blobs ?? new FsBlobStore(blobDir);
  const keyStore = db.dataKeys;
  const vault = new Vault({
    keyRing: new KeyRing({ current: LocalMasterKey.fromBase64(FIXTURE_MASTER_KEY), keyStore }),
    keyStore,
    blobs,
    spoolDir: join(dir, 'spool'),
    clock,
    log: silentLogger,
    chunkMs: 100,
  });
  const deleted: World['deleted'] = [];
  const deletion = new DeletionService({
    db,
    vault,
    clock,
    log: silentLogger,
    onDeleted: (recordingId, rule, what) => deleted.push({ recordingId, rule, what }),
  });
  return {
    deleted,
    db,
    clock,
    vault,
    blobs,
    blobDir,
    deletion,
    async record(o) {
      const startedAt = clock.now();
      const callId = `call-${o.id}`;
      await db.calls.insert({
        id: callId,
        startedAt,
        direction: 'inbound',
        queue: 'support',
        agentId: o.agentId ?? 'agent-1',
        team: 'support',
        protocol: 'siprec',
        protocolIds: o.customerId ? { customerId: o.customerId } : {},
        customerNumberEnc: o.number ? encryptNumber(o.number, NUMBER_ENC_KEY, callId) : undefined,
        customerHash: o.number ? keyedHash(o.number, NUMBER_KEY) : undefined,
        noticeVersion: 2,
        noticeEndedAt: startedAt,
      });
      await db.recordings.insert({
        id: o.id,
        callId,
        policyId: o.policyId ?? 'qualite',
        policyVersion: 1,
        purposes: o.purposes ?? ['quality'],
        startedAt,
        writeOnce: o.writeOnce ?? false,
        agentId: o.agentId ?? 'agent-1',
        team: 'support',
        queue: 'support',
        direction: 'inbound',
        customerHash: o.number ? keyedHash(o.number, NUMBER_KEY) : undefined,
      });
      const bytes = o.bytes ?? 24_000;
      const w = await vault.openSpool(o.id, { format: 'pcmu/8000/2' });
      const audio = stereoTone(bytes);
      for (let at = 0; at < bytes; at += 320) w.append(audio.subarray(at, at + 320));
      const sealed = await w.finish();
      await db.recordings.setSealed(o.id, {
        endedAt: startedAt + bytes / 16,
        durationMs: bytes / 16,
        segments: [{ kind: 'recorded', startMs: 0, endMs: bytes / 16 }],
        codec: 'pcmu/8000/2',
        sizeBytes: sealed.size,
        sha256: sealed.sha256,
        blobKey: sealed.blobKey,
        expiresAt: startedAt + o.days * DAY_MS,
        audioExpiresAt: o.reviewDays === undefined ? undefined : startedAt + o.reviewDays * DAY_MS,
      });
    },
  };
}
