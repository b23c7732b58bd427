/**
 * The one path every deletion goes through (retention, data-subject erasure and objection, the DPO):
 * crypto-shredding through the vault (R-RET-4), the row marked, a receipt without content. It refuses
 * what the law keeps: a write-once sector recording before its expiry (R-RET-3, whoever asks) and a
 * recording under legal hold (R-RET-6).
 */
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import type { Recording } from '../db/recordings.repo.ts';
import type { ShredReceipt } from '../db/shred-receipts.repo.ts';
import { fail, type RuleId } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Vault } from '../vault/vault.ts';
import { JobsErrors } from './errors.ts';

export interface DeletionDeps {
  readonly db: Pick<Repositories, 'recordings' | 'shredReceipts' | 'analysis' | 'calls'>;
  readonly vault: Pick<Vault, 'shred'>;
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

/** What the vault's shred covers: the key (so every copy of the blob), the blob, the spool, readers. */
const VAULT_SCOPE = 'audio,transcripts,analytics,caches,replicas';

export class DeletionService {
  readonly #d: DeletionDeps;

  constructor(deps: DeletionDeps) {
    this.#d = deps;
  }

  /** R-RET-3: throws if this recording is write-once and not yet expired (no change, no deletion). */
  assertUnaltered(rec: Recording): void {
    const now = this.#d.clock.now();
    if (rec.writeOnce && (rec.expiresAt === undefined || rec.expiresAt > now))
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
    const { db, vault, log } = this.#d;
    const rec = await db.recordings.mustGet(id);
    if (rec.state === 'shredded') return db.shredReceipts.forObject(id);
    this.assertDeletable(rec);
    const what = req.what ?? 'recording';
    // The key goes first (inside vault.shred): from that instant no copy of the audio is readable.
    const v = await vault.shred(id, { rule: req.rule, scope: VAULT_SCOPE });
    const scope = { key: v.keyDestroyed, blob: v.blobDeleted, transcripts: true, analytics: true };
    const receipts: ShredReceipt[] = [];
    if (what === 'audio') {
      await db.recordings.clearAudio(id);
      receipts.push(await db.shredReceipts.add({ objectId: id, kind: 'audio', rule: req.rule, scope }));
    } else {
      await db.recordings.markShredded(id);
      await db.calls.forgetCustomer(rec.callId);
      receipts.push(await db.shredReceipts.add({ objectId: id, kind: 'recording', rule: req.rule, scope }));
    }
    if (req.withDocuments) {
      for (const doc of await db.analysis.forRecording(id))
        receipts.push(await this.deleteDocument(doc.id, req.rule));
    }
    log.info({ recordingId: id, rule: req.rule, what }, 'recording deleted');
    this.#d.onDeleted?.(id, req.rule, what);
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
