/**
 * Legal holds (R-RET-6): a hold suspends deletion only with a reason, an owner and a review date; the
 * DPO lists every hold; a hold past its review date is flagged (and alerted by the retention job).
 */
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import type { LegalHold } from '../db/rights.repo.ts';
import { fail } from '../errors.ts';
import { JobsErrors } from './errors.ts';

export interface HoldInput {
  readonly reason: string;
  readonly owner: string;
  /** ms since epoch; must be in the future. */
  readonly reviewAt: number;
  readonly createdBy: string;
}

export interface HoldView extends LegalHold {
  readonly recordingIds: readonly string[];
  /** R-RET-6: the review date has passed and the hold is still active. */
  readonly reviewOverdue: boolean;
}

export class HoldsService {
  readonly #db: Pick<Repositories, 'legalHolds' | 'recordings' | 'kysely'>;
  readonly #clock: Clock;

  constructor(deps: { db: Pick<Repositories, 'legalHolds' | 'recordings' | 'kysely'>; clock: Clock }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
  }

  async create(h: HoldInput, recordingIds: readonly string[] = []): Promise<HoldView> {
    const missing = (['reason', 'owner'] as const).filter((f) => h[f].trim() === '');
    if (missing.length > 0 || !Number.isFinite(h.reviewAt) || h.reviewAt <= this.#clock.now())
      throw fail(
        JobsErrors.HOLD_INCOMPLETE,
        'a legal hold needs a reason, an owner and a future review date',
        {
          missing,
        },
      );
    const hold = await this.#db.legalHolds.create({ ...h, reason: h.reason.trim(), owner: h.owner.trim() });
    for (const id of recordingIds) await this.#db.recordings.setHold(id, hold.id);
    return this.get(hold.id);
  }

  async attach(holdId: string, recordingIds: readonly string[]): Promise<HoldView> {
    await this.#active(holdId);
    for (const id of recordingIds) await this.#db.recordings.setHold(id, holdId);
    return this.get(holdId);
  }

  async release(holdId: string, by: string): Promise<HoldView> {
    await this.#active(holdId);
    await this.#db.legalHolds.release(holdId, by);
    return this.get(holdId);
  }

  async get(holdId: string): Promise<HoldView> {
    const h = await this.#db.legalHolds.get(holdId);
    if (!h) throw fail(JobsErrors.HOLD_NOT_FOUND, `no legal hold ${holdId}`, { holdId });
    return this.#view(h);
  }

  /** R-RET-6: every hold, active first by review date; `active` only those not released. */
  async list(opts: { active?: boolean } = {}): Promise<HoldView[]> {
    return Promise.all((await this.#db.legalHolds.list(opts)).map((h) => this.#view(h)));
  }

  async #active(holdId: string): Promise<LegalHold> {
    const h = await this.#db.legalHolds.get(holdId);
    if (!h || h.releasedAt !== undefined)
      throw fail(JobsErrors.HOLD_NOT_FOUND, `no active legal hold ${holdId}`, { holdId });
    return h;
  }

  async #view(h: LegalHold): Promise<HoldView> {
    const rows = await this.#db.kysely
      .selectFrom('recordings')
      .select('id')
      .where('legalHoldId', '=', h.id)
      .orderBy('id')
      .execute();
    return {
      ...h,
      recordingIds: rows.map((r) => r.id),
      reviewOverdue: h.releasedAt === undefined && h.reviewAt < this.#clock.now(),
    };
  }
}
