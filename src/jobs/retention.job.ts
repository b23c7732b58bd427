/**
 * The retention job (R-RET-1..6): at each run, everything past its date goes, in batches, however long
 * the node was down (catch-up). Recordings at `expiresAt` are crypto-shredded (R-RET-4); review-window
 * recordings lose their audio at `audioExpiresAt` and keep their analysis documents (R-RET-5); analysis
 * documents go at their own `expiresAt` (R-RET-2). Held items are skipped (R-RET-6) and holds past their
 * review date raise an alert. Write-once recordings (R-RET-3) are deleted on time, never before.
 */
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import type { LegalHold } from '../db/rights.repo.ts';
import { isEcouteError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DeletionService } from './deletion.service.ts';
import type { JobHandler } from './scheduler.ts';

export const RETENTION_JOB = 'retention';

export interface RetentionDeps {
  readonly db: Pick<Repositories, 'recordings' | 'analysis' | 'legalHolds' | 'kysely'>;
  readonly deletion: DeletionService;
  readonly clock: Clock;
  readonly log: Logger;
  /** Items per query (default 100). */
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
  readonly failures: number;
  readonly alerts: readonly HoldAlert[];
}

/** Runs `step` on batches from `list` until nothing new is due; one failure does not stop the rest. */
async function drain<T extends { id: string }>(
  list: () => Promise<T[]>,
  step: (item: T) => Promise<void>,
  onError: (item: T, e: unknown) => void,
): Promise<{ done: number; failed: number }> {
  const failed = new Set<string>();
  let done = 0;
  for (;;) {
    const fresh = (await list()).filter((i) => !failed.has(i.id));
    if (fresh.length === 0) return { done, failed: failed.size };
    for (const item of fresh) {
      try {
        await step(item);
        done++;
      } catch (e) {
        failed.add(item.id);
        onError(item, e);
      }
    }
  }
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
  const batch = deps.batchSize ?? 100;
  const onError = (id: string) => (e: unknown) =>
    log.error({ objectId: id, code: isEcouteError(e) ? e.code : 'unexpected' }, 'retention deletion failed');

  const audio = await drain(
    () => db.recordings.listAudioExpiring(now, batch),
    async (r) => void (await deletion.shredRecording(r.id, { rule: 'R-RET-5', what: 'audio' })),
    (r, e) => onError(r.id)(e),
  );
  const recordings = await drain(
    () => db.recordings.listExpiring(now, batch),
    async (r) => void (await deletion.shredRecording(r.id, { rule: r.writeOnce ? 'R-RET-3' : 'R-RET-1' })),
    (r, e) => onError(r.id)(e),
  );
  const documents = await drain(
    () => db.analysis.listExpiring(now, batch),
    async (d) => void (await deletion.deleteDocument(d.id, 'R-RET-2')),
    (d, e) => onError(d.id)(e),
  );
  const held = await db.kysely
    .selectFrom('recordings')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('expiresAt', '<=', now)
    .where('legalHoldId', 'is not', null)
    .where('state', 'not in', ['shredded', 'objected'])
    .executeTakeFirstOrThrow();
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
    heldPastDate: Number(held.n),
    failures: audio.failed + recordings.failed + documents.failed,
    alerts,
  };
  log.info({ ...report, alerts: alerts.length }, 'retention run');
  return report;
}

/** The scheduler handler (periodic, e.g. hourly): `scheduler.register(RETENTION_JOB, retentionHandler(deps), { everyMs })`. */
export function retentionHandler(deps: RetentionDeps): JobHandler {
  return async () => void (await runRetention(deps));
}
