/**
 * Recordings' metadata: state, policy and purposes, segments and channels, container facts, retention
 * (R-RET-1..3, R-RET-5), legal hold (R-RET-6). The audio itself is in the vault; its key in data_keys.
 */
import { sql, type Selectable } from 'kysely';
import { fail } from '../errors.ts';
import {
  decodeCursor,
  encodeCursor,
  flag,
  fromJson,
  isSet,
  num,
  nul,
  opt,
  pageLimit,
  toJson,
} from './codec.ts';
import { DbErrors } from './errors.ts';
import type { RecordingsTable } from './schema.ts';
import type { Page, PageRequest, RepoContext } from './types.ts';

export const RECORDING_STATES = [
  'recording',
  'paused',
  'interrupted',
  'sealed',
  'objected',
  'shredded',
  // Opened but never spooled (full disk, key store down): no audio exists; the call was not recorded.
  'failed',
] as const;
export type RecordingState = (typeof RECORDING_STATES)[number];

/** A span of the call: audio kept, or a gap (R-PCI-1 pause, R-PCI-3 destroyed card data). */
/** A span of the recording's timeline (src/media/timeline.ts): paused (R-PCI-1), masked DTMF (R-PCI-2), lost. */
export interface Segment {
  readonly kind: 'recorded' | 'paused' | 'masked' | 'lost';
  /** ms from the recording's start. */
  readonly startMs: number;
  readonly endMs: number;
  /** The channel of a `masked` or `lost` span (0 agent, 1 customer); absent for call-level kinds. */
  readonly channel?: number;
}

export interface Channel {
  readonly index: number;
  readonly role: 'agent' | 'customer';
}

export interface Recording {
  readonly id: string;
  readonly callId: string;
  readonly state: RecordingState;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly purposes: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly durationMs: number | undefined;
  readonly segments: readonly Segment[];
  readonly channels: readonly Channel[];
  /** e.g. `opus/ogg`. */
  readonly codec: string | undefined;
  readonly sizeBytes: number | undefined;
  /** Hex sha-256 of the sealed container. */
  readonly sha256: string | undefined;
  readonly blobKey: string | undefined;
  /** Everything is deleted at this instant (R-RET-1..3). */
  readonly expiresAt: number | undefined;
  /** R-RET-5: the audio alone is deleted at this instant (review window); documents stay. */
  readonly audioExpiresAt: number | undefined;
  /** R-RET-3: neither altered nor deleted before `expiresAt`. */
  readonly writeOnce: boolean;
  readonly legalHoldId: string | undefined;
  readonly agentId: string | undefined;
  readonly team: string | undefined;
  readonly queue: string | undefined;
  readonly direction: string;
  /** Keyed hash of the customer number (keyed-hash.ts), for R-DSR-1 searches. */
  readonly customerHash: string | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewRecording {
  readonly id: string;
  readonly callId: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly purposes: readonly string[];
  readonly startedAt: number;
  readonly channels?: readonly Channel[];
  readonly writeOnce?: boolean;
  readonly agentId?: string | undefined;
  readonly team?: string | undefined;
  readonly queue?: string | undefined;
  readonly direction: string;
  readonly customerHash?: string | undefined;
  readonly state?: RecordingState;
}

export interface SealFacts {
  readonly endedAt: number;
  readonly durationMs: number;
  readonly segments: readonly Segment[];
  readonly codec: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly blobKey: string;
  readonly expiresAt: number;
  readonly audioExpiresAt?: number | undefined;
  /** `interrupted` when sealed by crash recovery. */
  readonly state?: 'sealed' | 'interrupted';
}

export interface RecordingFilter {
  readonly from?: number;
  readonly to?: number;
  readonly agentId?: string;
  /** R-MIN-3: restrict to these teams (a supervisor's scope). An empty list matches nothing. */
  readonly teams?: readonly string[];
  readonly queue?: string;
  readonly policyId?: string;
  readonly states?: readonly RecordingState[];
  readonly customerHash?: string;
  readonly direction?: string;
  readonly callId?: string;
}

/**
 * What may still expire: the predicate of the partial index `recordings_expiring` (migration 0004), written
 * literally so that both planners match it (a bound parameter would not), and the purge's listing skips the
 * recordings shredded in the past instead of walking them on every run.
 */
const NOT_GONE = sql<boolean>`state not in ('shredded', 'objected')`;

const DEFAULT_CHANNELS: readonly Channel[] = [
  { index: 0, role: 'agent' },
  { index: 1, role: 'customer' },
];

function toRecording(r: Selectable<RecordingsTable>): Recording {
  return {
    id: r.id,
    callId: r.callId,
    state: r.state as RecordingState,
    policyId: r.policyId,
    policyVersion: Number(r.policyVersion),
    purposes: fromJson<string[]>(r.purposes, []),
    startedAt: Number(r.startedAt),
    endedAt: num(r.endedAt),
    durationMs: num(r.durationMs),
    segments: fromJson<Segment[]>(r.segments, []),
    channels: fromJson<Channel[]>(r.channels, []),
    codec: opt(r.codec),
    sizeBytes: num(r.sizeBytes),
    sha256: opt(r.sha256),
    blobKey: opt(r.blobKey),
    expiresAt: num(r.expiresAt),
    audioExpiresAt: num(r.audioExpiresAt),
    writeOnce: isSet(r.writeOnce),
    legalHoldId: opt(r.legalHoldId),
    agentId: opt(r.agentId),
    team: opt(r.team),
    queue: opt(r.queue),
    direction: r.direction,
    customerHash: opt(r.customerHash),
    createdAt: Number(r.createdAt),
    updatedAt: Number(r.updatedAt),
  };
}

export function recordingsRepo({ k, clock }: RepoContext) {
  const mustGet = async (id: string): Promise<Recording> => {
    const r = await k.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw fail(DbErrors.NOT_FOUND, `no recording ${id}`, { recordingId: id });
    return toRecording(r);
  };

  /** R-RET-3: a sealed write-once recording cannot change before its expiry. */
  const guardWriteOnce = (rec: Recording, what: string): void => {
    const sealed = rec.state === 'sealed' || rec.state === 'interrupted';
    if (rec.writeOnce && sealed && (rec.expiresAt === undefined || rec.expiresAt > clock.now()))
      throw fail(DbErrors.WRITE_ONCE, `recording ${rec.id} is write-once until it expires: cannot ${what}`, {
        recordingId: rec.id,
      });
  };

  return {
    async insert(n: NewRecording): Promise<Recording> {
      const now = clock.now();
      const row = await k
        .insertInto('recordings')
        .values({
          id: n.id,
          callId: n.callId,
          state: n.state ?? 'recording',
          policyId: n.policyId,
          policyVersion: n.policyVersion,
          purposes: toJson(n.purposes),
          startedAt: n.startedAt,
          endedAt: null,
          durationMs: null,
          segments: '[]',
          channels: toJson(n.channels ?? DEFAULT_CHANNELS),
          codec: null,
          sizeBytes: null,
          sha256: null,
          blobKey: null,
          expiresAt: null,
          audioExpiresAt: null,
          writeOnce: flag(n.writeOnce),
          legalHoldId: null,
          agentId: nul(n.agentId),
          team: nul(n.team),
          queue: nul(n.queue),
          direction: n.direction,
          customerHash: nul(n.customerHash),
          createdAt: now,
          updatedAt: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecording(row);
    },

    async get(id: string): Promise<Recording | undefined> {
      const r = await k.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toRecording(r);
    },

    mustGet,

    async byCall(callId: string): Promise<Recording[]> {
      const rows = await k.selectFrom('recordings').selectAll().where('callId', '=', callId).execute();
      return rows.map(toRecording);
    },

    /** Newest first, keyset-paginated on (startedAt, id). */
    async search(filter: RecordingFilter = {}, page?: PageRequest): Promise<Page<Recording>> {
      const limit = pageLimit(page);
      let q = k.selectFrom('recordings').selectAll();
      if (filter.from !== undefined) q = q.where('startedAt', '>=', filter.from);
      if (filter.to !== undefined) q = q.where('startedAt', '<', filter.to);
      if (filter.agentId !== undefined) q = q.where('agentId', '=', filter.agentId);
      if (filter.teams !== undefined) {
        if (filter.teams.length === 0) return { items: [], next: undefined };
        q = q.where('team', 'in', [...filter.teams]);
      }
      if (filter.queue !== undefined) q = q.where('queue', '=', filter.queue);
      if (filter.policyId !== undefined) q = q.where('policyId', '=', filter.policyId);
      if (filter.states !== undefined) {
        if (filter.states.length === 0) return { items: [], next: undefined };
        q = q.where('state', 'in', [...filter.states]);
      }
      if (filter.customerHash !== undefined) q = q.where('customerHash', '=', filter.customerHash);
      if (filter.direction !== undefined) q = q.where('direction', '=', filter.direction);
      if (filter.callId !== undefined) q = q.where('callId', '=', filter.callId);
      const cursor = decodeCursor(page?.after);
      if (cursor) {
        const [at, id] = cursor;
        q = q.where((eb) =>
          eb.or([eb('startedAt', '<', at), eb.and([eb('startedAt', '=', at), eb('id', '<', id)])]),
        );
      }
      const rows = await q
        .orderBy('startedAt', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toRecording);
      const last = items[items.length - 1];
      return { items, next: rows.length > limit && last ? encodeCursor(last.startedAt, last.id) : undefined };
    },

    /** Moves a recording to a new state; `from` makes the change conditional (returns false if not met). */
    async updateState(id: string, state: RecordingState, from?: readonly RecordingState[]): Promise<boolean> {
      const rec = await mustGet(id);
      if (state === 'shredded' || rec.state !== state) guardWriteOnce(rec, `move to ${state}`);
      let q = k.updateTable('recordings').set({ state, updatedAt: clock.now() }).where('id', '=', id);
      if (from) q = q.where('state', 'in', [...from]);
      const res = await q.executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /**
     * A recording whose spool could not be opened: no audio exists. The row stays as the trace of the
     * failure, without the customer's hash, until `expiresAt` (the retention job then removes it, R-RET-1).
     * Only from `recording`/`paused`; false if the row was already elsewhere.
     */
    async markFailed(id: string, f: { endedAt: number; expiresAt: number }): Promise<boolean> {
      const res = await k
        .updateTable('recordings')
        .set({
          state: 'failed',
          endedAt: f.endedAt,
          expiresAt: f.expiresAt,
          customerHash: null,
          updatedAt: clock.now(),
        })
        .where('id', '=', id)
        .where('state', 'in', ['recording', 'paused'])
        .executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** Records the sealed container's facts and retention; once only (from recording/paused/interrupted). */
    async setSealed(id: string, s: SealFacts): Promise<Recording> {
      const res = await k
        .updateTable('recordings')
        .set({
          state: s.state ?? 'sealed',
          endedAt: s.endedAt,
          durationMs: s.durationMs,
          segments: toJson(s.segments),
          codec: s.codec,
          sizeBytes: s.sizeBytes,
          sha256: s.sha256,
          blobKey: s.blobKey,
          expiresAt: s.expiresAt,
          audioExpiresAt: nul(s.audioExpiresAt),
          updatedAt: clock.now(),
        })
        .where('id', '=', id)
        .where('state', 'in', ['recording', 'paused', 'interrupted'])
        .where((eb) => eb.or([eb('sha256', 'is', null), eb('state', '=', 'interrupted')]))
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) {
        const rec = await mustGet(id);
        throw fail(DbErrors.CONFLICT, `recording ${id} cannot be sealed from state ${rec.state}`, {
          recordingId: id,
          state: rec.state,
        });
      }
      return mustGet(id);
    },

    /** R-RET-6: attaches (or with undefined, releases) a legal hold. */
    async setHold(id: string, legalHoldId: string | undefined): Promise<void> {
      let q = k
        .updateTable('recordings')
        .set({ legalHoldId: nul(legalHoldId), updatedAt: clock.now() })
        .where('id', '=', id);
      // R-RET-6: a recording claimed by a deletion (claimForDeletion) is past the point a hold could save it.
      if (legalHoldId !== undefined) q = q.where('deletionClaimedAt', 'is', null);
      const res = await q.executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) return;
      if (await this.get(id))
        throw fail(
          DbErrors.CONFLICT,
          `recording ${id} is being deleted: a legal hold can no longer keep it`,
          {
            recordingId: id,
          },
        );
      throw fail(DbErrors.NOT_FOUND, `no recording ${id}`, { recordingId: id });
    },

    /**
     * R-RET-3, R-RET-6: claims recordings for deletion, re-checking in the store, in one conditional UPDATE,
     * what the deletion service checked on the rows it listed: not shredded, no legal hold, write-once only
     * once expired. While claimed, `setHold` refuses the recording: a hold that lands between the listing and
     * the key destruction either wins here (the recording is left alone) or is refused. Returns the ids claimed.
     */
    async claimForDeletion(ids: readonly string[], now: number): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await k
        .updateTable('recordings')
        .set({ deletionClaimedAt: now })
        .where('id', 'in', [...ids])
        .where('state', '<>', 'shredded')
        .where('legalHoldId', 'is', null)
        .where((eb) => eb.or([eb('writeOnce', '=', 0), eb('expiresAt', '<=', now)]))
        .returning('id')
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** R-RET-1..3: recordings past `expiresAt`, not held, not yet shredded; oldest first (then by id). */
    async listExpiring(now: number, limit = 100, after?: Recording): Promise<Recording[]> {
      let q = k
        .selectFrom('recordings')
        .selectAll()
        .where('expiresAt', '<=', now)
        .where('legalHoldId', 'is', null)
        .where(NOT_GONE);
      // Keyset: `after` the last one listed, so a purge can list the next batch while one is in flight.
      if (after)
        q = q.where((eb) =>
          eb(eb.refTuple('expiresAt', 'id'), '>', eb.tuple(after.expiresAt ?? now, after.id)),
        );
      const rows = await q.orderBy('expiresAt').orderBy('id').limit(limit).execute();
      return rows.map(toRecording);
    },

    /** R-RET-6: recordings past `expiresAt` kept because of a legal hold. */
    async countHeldPastDate(now: number): Promise<number> {
      const r = await k
        .selectFrom('recordings')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('expiresAt', '<=', now)
        .where('legalHoldId', 'is not', null)
        .where(NOT_GONE)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** R-RET-5: recordings whose audio review window has passed (audio to delete, documents kept). */
    async listAudioExpiring(now: number, limit = 100, after?: Recording): Promise<Recording[]> {
      let q = k
        .selectFrom('recordings')
        .selectAll()
        .where('audioExpiresAt', '<=', now)
        .where('legalHoldId', 'is', null)
        .where('blobKey', 'is not', null)
        .where('state', 'in', ['sealed', 'interrupted']);
      if (after)
        q = q.where((eb) =>
          eb(eb.refTuple('audioExpiresAt', 'id'), '>', eb.tuple(after.audioExpiresAt ?? now, after.id)),
        );
      const rows = await q.orderBy('audioExpiresAt').orderBy('id').limit(limit).execute();
      return rows.map(toRecording);
    },

    /** R-RET-5: the audio is gone; the metadata stays until `expiresAt`. */
    async clearAudio(id: string): Promise<void> {
      guardWriteOnce(await mustGet(id), 'delete its audio');
      await this.clearAudioMany([id]);
    },

    /** R-RET-5 for a batch claimed by a deletion: audio gone, metadata kept, claim ended. Returns the rows changed. */
    async clearAudioMany(ids: readonly string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await k
        .updateTable('recordings')
        .set({ blobKey: null, audioExpiresAt: null, deletionClaimedAt: null, updatedAt: clock.now() })
        .where('id', 'in', [...ids])
        .where('state', '<>', 'shredded')
        .returning('id')
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    /** R-RET-4: marks the recording shredded (after its key was destroyed); write-once is checked. */
    async markShredded(id: string): Promise<void> {
      guardWriteOnce(await mustGet(id), 'shred it');
      await this.markShreddedMany([id]);
    },

    /**
     * R-RET-4 for a batch claimed by a deletion, keys already destroyed: rows marked shredded (blob key and
     * customer hash cleared), claim ended. Returns the rows changed (id → call id); one already shredded is not.
     */
    async markShreddedMany(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await k
        .updateTable('recordings')
        .set({
          state: 'shredded',
          blobKey: null,
          customerHash: null,
          deletionClaimedAt: null,
          updatedAt: clock.now(),
        })
        .where('id', 'in', [...ids])
        .where('state', '<>', 'shredded')
        .returning(['id', 'callId'])
        .execute();
      return new Map(rows.map((r) => [r.id, r.callId]));
    },

    async countByState(): Promise<Record<string, number>> {
      const rows = await k
        .selectFrom('recordings')
        .select(['state', (eb) => eb.fn.countAll().as('n')])
        .groupBy('state')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    },
  };
}

export type RecordingsRepo = ReturnType<typeof recordingsRepo>;
