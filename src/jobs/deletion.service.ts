/**
 * The one path every deletion goes through (retention, data-subject erasure and objection, the DPO):
 * crypto-shredding through the vault (R-RET-4), the row marked, a receipt without content. It refuses
 * what the law keeps: a write-once sector recording before its expiry (R-RET-3, whoever asks) and a
 * recording under legal hold (R-RET-6). One recording or a batch (the retention purge) share one core.
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { DbErrors } from '../db/errors.ts';
import type { Recording } from '../db/recordings.repo.ts';
import type { ShredReceipt } from '../db/shred-receipts.repo.ts';
import { fail, type RuleId } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Vault } from '../vault/vault.ts';
import { JobsErrors } from './errors.ts';

export interface DeletionDeps {
  readonly db: Pick<Db, 'recordings' | 'shredReceipts' | 'analysis' | 'calls' | 'transaction'>;
  readonly vault: Pick<Vault, 'shredMany'>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Told after each recording (or its audio) is deleted, for the `recording.deleted` webhook. */
  readonly onDeleted?: (recordingId: string, rule: RuleId, what: 'recording' | 'audio') => void;
}

export interface ShredRequest {
  /** The rule that requires the deletion: R-RET-1/2/3 (expiry), R-RET-5 (review window), R-DSR-4… */
  readonly rule: RuleId;
  /** `recording`: everything; `audio`: the audio only, metadata and documents stay (R-RET-5). */
  readonly what?: 'recording' | 'audio';
  /** Also delete the analysis documents about this recording (erasure of the whole call). */
  readonly withDocuments?: boolean;
}

/**
 * Why a recording of a batch was left alone: `shredded` already, `write_once` before its expiry (R-RET-3),
 * `held` (R-RET-6), or `changed` in the store since it was listed (a hold landed, another deletion won).
 */
export type SkipReason = 'shredded' | 'write_once' | 'held' | 'changed';

export interface BatchDeletion {
  /** One receipt per recording deleted (kind `recording`, or `audio` for R-RET-5). */
  readonly receipts: readonly ShredReceipt[];
  readonly skipped: ReadonlyMap<string, SkipReason>;
}

/** What the vault's shred covers: the key (so every copy of the blob), the blob, the spool, readers. */
const VAULT_SCOPE = 'audio,transcripts,analytics,caches,replicas';

/** Most recordings per claim, key deletion and transaction (bind parameters stay under both dialects' limits). */
export const MAX_BATCH = 5000;

export class DeletionService {
  readonly #d: DeletionDeps;

  constructor(deps: DeletionDeps) {
    this.#d = deps;
  }

  /** R-RET-3: true while a write-once recording has not reached its expiry. */
  #writeOnceLocked(rec: Recording): boolean {
    return rec.writeOnce && (rec.expiresAt === undefined || rec.expiresAt > this.#d.clock.now());
  }

  /** R-RET-3: throws if this recording is write-once and not yet expired (no change, no deletion). */
  assertUnaltered(rec: Recording): void {
    if (this.#writeOnceLocked(rec))
      throw fail(JobsErrors.WRITE_ONCE, `recording ${rec.id} is write-once until it expires`, {
        recordingId: rec.id,
        expiresAt: rec.expiresAt,
      });
  }

  /** R-RET-3 and R-RET-6 in one place: throws if this recording may not be deleted now. */
  assertDeletable(rec: Recording): void {
    this.assertUnaltered(rec);
    if (rec.legalHoldId !== undefined)
      throw fail(JobsErrors.HELD, `recording ${rec.id} is under legal hold`, {
        recordingId: rec.id,
        legalHoldId: rec.legalHoldId,
      });
  }

  /** Shreds one recording (or its audio); idempotent on an already shredded recording. */
  async shredRecording(id: string, req: ShredRequest): Promise<ShredReceipt[]> {
    const { db } = this.#d;
    const rec = await db.recordings.mustGet(id);
    if (rec.state === 'shredded') return db.shredReceipts.forObject(id);
    this.assertDeletable(rec);
    const receipts = await this.#shredDue([rec], req, new Map());
    if (receipts.length === 0) {
      // The store refused the claim or the mark: the row changed since it was read. Say why, as above.
      const now = await db.recordings.mustGet(id);
      if (now.state === 'shredded') return db.shredReceipts.forObject(id);
      this.assertDeletable(now);
      throw fail(DbErrors.CONFLICT, `recording ${id} changed during its deletion`, { recordingId: id });
    }
    if (req.withDocuments) {
      for (const doc of await db.analysis.forRecording(id))
        receipts.push(await this.deleteDocument(doc.id, req.rule));
    }
    return receipts;
  }

  /**
   * The batch path (the retention purge), for recordings listed as due. Guards stay per recording: one
   * that may not be deleted (R-RET-3, R-RET-6) is skipped, on the listed copy and again in the store when
   * the batch is claimed, since a hold may land after the listing. Larger inputs go in MAX_BATCH slices.
   */
  async shredRecordings(recs: readonly Recording[], req: ShredRequest): Promise<BatchDeletion> {
    const skipped = new Map<string, SkipReason>();
    const due: Recording[] = [];
    for (const rec of recs) {
      const why: SkipReason | undefined =
        rec.state === 'shredded'
          ? 'shredded'
          : this.#writeOnceLocked(rec)
            ? 'write_once'
            : rec.legalHoldId !== undefined
              ? 'held'
              : undefined;
      if (why) skipped.set(rec.id, why);
      else due.push(rec);
    }
    const receipts: ShredReceipt[] = [];
    for (let at = 0; at < due.length; at += MAX_BATCH)
      receipts.push(...(await this.#shredDue(due.slice(at, at + MAX_BATCH), req, skipped)));
    return { receipts, skipped };
  }

  /**
   * The core both paths share. (1) Claim: one conditional UPDATE re-checks hold and write-once in the store
   * and bars new holds (R-RET-6). (2) The vault destroys the keys FIRST, in one operation (R-RET-4: from
   * then on no copy is readable), then blobs, spools, readers. (3) One transaction: rows marked shredded
   * (or audio cleared, R-RET-5), customer numbers forgotten, one receipt per recording. Interrupted between
   * (2) and (3), the rows stay due and claimed; the next run finishes them, its receipts saying `key: false`.
   */
  async #shredDue(
    due: readonly Recording[],
    req: ShredRequest,
    skipped: Map<string, SkipReason>,
  ): Promise<ShredReceipt[]> {
    const { db, vault, clock, log } = this.#d;
    const what = req.what ?? 'recording';
    const claimed = await db.recordings.claimForDeletion(
      due.map((r) => r.id),
      clock.now(),
    );
    for (const r of due) if (!claimed.has(r.id)) skipped.set(r.id, 'changed');
    const ids = due.filter((r) => claimed.has(r.id)).map((r) => r.id);
    if (ids.length === 0) return [];
    const shredded = await vault.shredMany(ids, { rule: req.rule, scope: VAULT_SCOPE });
    const receipts = await db.transaction(async (tx) => {
      let done: ReadonlySet<string>;
      if (what === 'audio') done = await tx.recordings.clearAudioMany(ids);
      else {
        const marked = await tx.recordings.markShreddedMany(ids);
        await tx.calls.forgetCustomers([...marked.values()]);
        done = new Set(marked.keys());
      }
      return tx.shredReceipts.addMany(
        shredded
          .filter((v) => done.has(v.recordingId))
          .map((v) => ({
            objectId: v.recordingId,
            kind: what,
            rule: req.rule,
            scope: { key: v.keyDestroyed, blob: v.blobDeleted, transcripts: true, analytics: true },
          })),
      );
    });
    for (const r of receipts) {
      log.info({ recordingId: r.objectId, rule: req.rule, what }, 'recording deleted');
      this.#d.onDeleted?.(r.objectId, req.rule, what);
    }
    return receipts;
  }

  /** R-RET-2 / R-DSR-4: deletes an analysis document and leaves a receipt. */
  async deleteDocument(id: string, rule: RuleId): Promise<ShredReceipt> {
    await this.#d.db.analysis.delete(id);
    return this.#d.db.shredReceipts.add({
      objectId: id,
      kind: 'analysis_document',
      rule,
      scope: { row: true },
    });
  }
}
