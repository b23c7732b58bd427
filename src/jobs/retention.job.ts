/**
 * The retention job (R-RET-1..6): at each run, everything past its date goes, in batches, however long
 * the node was down (catch-up). Recordings at `expiresAt` are crypto-shredded (R-RET-4); review-window
 * recordings lose their audio at `audioExpiresAt` and keep their analysis documents (R-RET-5); analysis
 * documents go at their own `expiresAt` (R-RET-2). Held items are skipped (R-RET-6) and holds past their
 * review date raise an alert. Write-once recordings (R-RET-3) are deleted on time, never before.
 * Recordings go through the deletion service's batch path (issue 10): per batch, one key deletion, one bulk
 * blob deletion and one transaction, with the guards still checked per recording.
 */
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import type { LegalHold } from '../db/rights.repo.ts';
import type { Recording } from '../db/recordings.repo.ts';
import { isEcouteError, type RuleId } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DeletionService, ShredRequest } from './deletion.service.ts';
import type { JobHandler } from './scheduler.ts';

export const RETENTION_JOB = 'retention';

/** Recording batches in flight at once. */
const PIPELINE = 2;

export interface RetentionDeps {
  readonly db: Pick<Repositories, 'recordings' | 'analysis' | 'legalHolds'>;
  readonly deletion: DeletionService;
  readonly clock: Clock;
  readonly log: Logger;
  /** Items per listing and per deletion batch (config `retention.batchSize`, default 500, at most 5000). */
  readonly batchSize?: number;
  /** Called once per run for every hold past its review date (R-RET-6). */
  readonly onAlert?: (alert: HoldAlert) => void;
}

export interface HoldAlert {
  readonly kind: 'hold_review_overdue';
  readonly rule: 'R-RET-6';
  readonly holdId: string;
  readonly owner: string;
  readonly reviewAt: number;
}

export interface RetentionReport {
  readonly at: number;
  readonly recordingsShredded: number;
  readonly audioDeleted: number;
  readonly documentsDeleted: number;
  /** Recordings past their date kept because of a legal hold. */
  readonly heldPastDate: number;
  /** Listed as due but left alone when deleted: a hold landed meanwhile (R-RET-6), a write-once term (R-RET-3). */
  readonly skipped: number;
  readonly failures: number;
  readonly alerts: readonly HoldAlert[];
}

interface BatchOutcome {
  readonly done: number;
  /** Ids left alone or failed: not offered again in this run. */
  readonly left: readonly string[];
  readonly skipped: number;
  readonly failed: number;
}

/**
 * Runs `run` on batches from `list` until nothing new is due, with up to `inFlight` batches at once (the
 * next batch is listed after the last item of the previous one, so a list that takes `after` never hands
 * out an item twice; one that ignores it needs `inFlight` 1). Items a batch left alone or failed are not
 * offered again in this run: the next listing asks for that many more, so they cannot starve the rest.
 * `run` must not reject.
 */
async function drain<T extends { id: string }>(
  list: (limit: number, after: T | undefined) => Promise<T[]>,
  batchSize: number,
  run: (items: T[]) => Promise<BatchOutcome>,
  inFlight = 1,
): Promise<{ done: number; skipped: number; failed: number }> {
  const left = new Set<string>();
  const total = { done: 0, skipped: 0, failed: 0 };
  const pending: Promise<BatchOutcome>[] = [];
  const settle = async (): Promise<void> => {
    const r = (await pending.shift()) as BatchOutcome;
    for (const id of r.left) left.add(id);
    total.done += r.done;
    total.skipped += r.skipped;
    total.failed += r.failed;
  };
  let after: T | undefined;
  for (;;) {
    const fresh = (await list(batchSize + left.size, after))
      .filter((i) => !left.has(i.id))
      .slice(0, batchSize);
    if (fresh.length === 0) break;
    after = fresh[fresh.length - 1];
    pending.push(run(fresh));
    if (pending.length >= inFlight) await settle();
  }
  while (pending.length > 0) await settle();
  return total;
}

export function overdueHolds(holds: readonly LegalHold[], now: number): HoldAlert[] {
  return holds
    .filter((h) => h.releasedAt === undefined && h.reviewAt < now)
    .map((h) => ({
      kind: 'hold_review_overdue',
      rule: 'R-RET-6',
      holdId: h.id,
      owner: h.owner,
      reviewAt: h.reviewAt,
    }));
}

export async function runRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const { db, deletion, clock, log } = deps;
  const now = clock.now();
  const batch = deps.batchSize ?? 500;
  const onError = (id: string, e: unknown) =>
    log.error({ objectId: id, code: isEcouteError(e) ? e.code : 'unexpected' }, 'retention deletion failed');

  /** One batch through the deletion service; if it fails as a whole, one at a time, so only the culprit fails. */
  const shred = async (recs: Recording[], req: ShredRequest): Promise<BatchOutcome> => {
    if (recs.length === 0) return { done: 0, left: [], skipped: 0, failed: 0 };
    try {
      const r = await deletion.shredRecordings(recs, req);
      for (const [id, reason] of r.skipped)
        log.warn({ recordingId: id, reason }, 'retention deletion skipped');
      return { done: r.receipts.length, left: [...r.skipped.keys()], skipped: r.skipped.size, failed: 0 };
    } catch (e) {
      if (recs.length === 1) {
        onError(recs[0]?.id ?? '', e);
        return { done: 0, left: recs.map((r) => r.id), skipped: 0, failed: 1 };
      }
      return sum(await mapSerial(recs, (r) => shred([r], req)));
    }
  };
  /** R-RET-1, or R-RET-3 for write-once recordings: one deletion request per rule. */
  const byRule = async (recs: Recording[]): Promise<BatchOutcome> => {
    const rules: RuleId[] = ['R-RET-1', 'R-RET-3'];
    return sum(
      await mapSerial(rules, (rule) =>
        shred(
          recs.filter((r) => (r.writeOnce ? 'R-RET-3' : 'R-RET-1') === rule),
          { rule },
        ),
      ),
    );
  };

  // Two batches in flight: one in the database while the other's blobs are deleted (or, on PostgreSQL,
  // in two server processes at once). Keyset listings never hand out a recording of a batch in flight.
  const audio = await drain<Recording>(
    (limit, after) => db.recordings.listAudioExpiring(now, limit, after),
    batch,
    (recs) => shred(recs, { rule: 'R-RET-5', what: 'audio' }),
    PIPELINE,
  );
  const recordings = await drain<Recording>(
    (limit, after) => db.recordings.listExpiring(now, limit, after),
    batch,
    byRule,
    PIPELINE,
  );
  const documents = await drain(
    (limit) => db.analysis.listExpiring(now, limit),
    batch,
    async (docs) => {
      const failed: string[] = [];
      for (const d of docs) {
        try {
          await deletion.deleteDocument(d.id, 'R-RET-2');
        } catch (e) {
          failed.push(d.id);
          onError(d.id, e);
        }
      }
      return { done: docs.length - failed.length, left: failed, skipped: 0, failed: failed.length };
    },
  );
  const heldPastDate = await db.recordings.countHeldPastDate(now);
  const alerts = overdueHolds(await db.legalHolds.list({ active: true }), now);
  for (const a of alerts) {
    log.warn({ holdId: a.holdId, reviewAt: a.reviewAt, rule: a.rule }, 'legal hold past its review date');
    deps.onAlert?.(a);
  }
  const report: RetentionReport = {
    at: now,
    recordingsShredded: recordings.done,
    audioDeleted: audio.done,
    documentsDeleted: documents.done,
    heldPastDate,
    skipped: audio.skipped + recordings.skipped,
    failures: audio.failed + recordings.failed + documents.failed,
    alerts,
  };
  log.info({ ...report, alerts: alerts.length }, 'retention run');
  return report;
}

async function mapSerial<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}

function sum(parts: readonly BatchOutcome[]): BatchOutcome {
  return {
    done: parts.reduce((n, p) => n + p.done, 0),
    left: parts.flatMap((p) => p.left),
    skipped: parts.reduce((n, p) => n + p.skipped, 0),
    failed: parts.reduce((n, p) => n + p.failed, 0),
  };
}

/** The scheduler handler (periodic, e.g. hourly): `scheduler.register(RETENTION_JOB, retentionHandler(deps), { everyMs })`. */
export function retentionHandler(deps: RetentionDeps): JobHandler {
  return async () => void (await runRetention(deps));
}
