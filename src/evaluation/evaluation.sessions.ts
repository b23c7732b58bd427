/**
 * Calibration sessions (trainers) and evaluation sampling draws, both kept in org_settings so that an
 * auditor can replay them: a session names its recording, grid version and purpose; a sampling draw keeps
 * its seed, its candidates and its picks (keys `calibration:<id>`, `evaluation_sample:<agent>:<month>`).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import { fail } from '../errors.ts';
import type { Rng } from '../policy/rng.ts';
import { seededRng } from '../random.ts';
import { calibrationReport, type CalibrationReport } from './calibration.ts';
import { EvaluationErrors } from './errors.ts';
import { assertRole, CALIBRATION_ROLES, EVALUATION_PURPOSES, type Actor } from './evaluation.access.ts';
import type { Evaluation, EvaluationService, NewEvaluation } from './evaluation.service.ts';
import type { GridStore } from './grid.store.ts';
import { drawSample, monthRange } from './sampling.ts';

export interface CalibrationSession {
  readonly id: string;
  readonly recordingId: string;
  readonly gridId: string;
  readonly gridVersion: number;
  readonly purpose: string;
  readonly team: string | undefined;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface SampleDraw {
  readonly agentId: string;
  readonly month: string;
  /** The seed of the shuffle (hex); `replaySample` recomputes the picks from it. */
  readonly seed: string;
  readonly candidates: readonly string[];
  readonly picks: readonly string[];
  readonly drawnBy: string;
  readonly drawnAt: number;
}

export interface SessionDeps {
  readonly db: Pick<Repositories, 'analysis' | 'recordings' | 'settings'>;
  readonly grids: GridStore;
  readonly evaluations: EvaluationService;
  readonly clock: Clock;
  /** Seeds sampling draws (production: cryptoRng()). */
  readonly rng: Rng;
}

/** Recomputes a draw's picks from its seed and candidates (the audit check). */
export function replaySample(d: Pick<SampleDraw, 'seed' | 'candidates' | 'picks'>): string[] {
  return drawSample(d.candidates, d.picks.length, seededRng(d.seed));
}

export class EvaluationSessions {
  readonly #d: SessionDeps;

  constructor(deps: SessionDeps) {
    this.#d = deps;
  }

  async openCalibration(
    actor: Actor,
    s: { recordingId: string; gridId: string; gridVersion?: number; purpose: string },
  ): Promise<CalibrationSession> {
    const rec = await this.#d.evaluations.recording(s.recordingId);
    assertRole(actor, CALIBRATION_ROLES, rec.team);
    if (!EVALUATION_PURPOSES.includes(s.purpose as never) || !rec.purposes.includes(s.purpose))
      throw fail(EvaluationErrors.PURPOSE, 'purpose not among the recording\u2019s evaluation purposes');
    const grid = await this.#d.grids.get(s.gridId, s.gridVersion, true);
    const session: CalibrationSession = {
      id: randomUUID(),
      recordingId: rec.id,
      gridId: grid.gridId,
      gridVersion: grid.version,
      purpose: s.purpose,
      team: rec.team,
      createdBy: actor.id,
      createdAt: this.#d.clock.now(),
    };
    await this.#d.db.settings.set(`calibration:${session.id}`, session);
    return session;
  }

  async session(id: string): Promise<CalibrationSession> {
    const s = await this.#d.db.settings.get<CalibrationSession>(`calibration:${id}`);
    if (!s) throw fail(EvaluationErrors.NOT_FOUND, 'no such calibration session', { id });
    return s;
  }

  /** An evaluator's round in a session: an ordinary evaluation bound to the session's grid and purpose. */
  async submit(
    actor: Actor,
    sessionId: string,
    e: Pick<NewEvaluation, 'answers' | 'comment'>,
  ): Promise<Evaluation> {
    const s = await this.session(sessionId);
    return this.#d.evaluations.create(actor, {
      recordingId: s.recordingId,
      purpose: s.purpose,
      gridId: s.gridId,
      gridVersion: s.gridVersion,
      answers: e.answers,
      ...(e.comment === undefined ? {} : { comment: e.comment }),
      calibrationSessionId: s.id,
    });
  }

  /** The spread per criterion and of the total (trainers of the recording's team). */
  async report(actor: Actor, sessionId: string): Promise<CalibrationSession & { report: CalibrationReport }> {
    const s = await this.session(sessionId);
    assertRole(actor, CALIBRATION_ROLES, s.team);
    const grid = await this.#d.grids.get(s.gridId, s.gridVersion);
    const rounds = (await this.#d.db.analysis.forRecording(s.recordingId)).filter(
      (d) => d.kind === 'calibration' && (d.content as Evaluation['content']).calibrationSessionId === s.id,
    ) as Evaluation[];
    const entries = rounds.map((r) => ({ answers: r.content.answers, total: r.content.score.total }));
    return { ...s, report: calibrationReport(grid, entries) };
  }

  /**
   * Draws `count` recordings of `agentId` in `month` among those the policies recorded for an evaluation
   * purpose (sealed, in the actor's teams), and records the draw with its seed.
   */
  async drawSample(actor: Actor, agentId: string, month: string, count: number): Promise<SampleDraw> {
    const range = monthRange(month);
    if (!range || !Number.isInteger(count) || count < 1 || count > 50)
      throw fail(EvaluationErrors.SAMPLE_INVALID, 'month YYYY-MM and count 1..50', { month, count });
    const candidates: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.#d.db.recordings.search(
        { agentId, from: range.from, to: range.to, states: ['sealed'] },
        { limit: 500, after },
      );
      for (const r of page.items) {
        const evaluable = r.purposes.some((p) => EVALUATION_PURPOSES.includes(p as never));
        if (evaluable && actor.roles.some((role) => canDraw(actor, role, r.team))) candidates.push(r.id);
      }
      after = page.next;
    } while (after);
    const seed = this.#d.rng.draw().seed;
    const sorted = candidates.sort();
    const draw: SampleDraw = {
      agentId,
      month,
      seed,
      candidates: sorted,
      picks: drawSample(sorted, count, seededRng(seed)),
      drawnBy: actor.id,
      drawnAt: this.#d.clock.now(),
    };
    const key = `evaluation_sample:${agentId}:${month}`;
    const earlier = (await this.#d.db.settings.get<SampleDraw[]>(key)) ?? [];
    await this.#d.db.settings.set(key, [...earlier, draw]);
    return draw;
  }

  async draws(agentId: string, month: string): Promise<SampleDraw[]> {
    return (await this.#d.db.settings.get<SampleDraw[]>(`evaluation_sample:${agentId}:${month}`)) ?? [];
  }
}

function canDraw(actor: Actor, role: Actor['roles'][number], team: string | undefined): boolean {
  if (role !== 'supervisor' && role !== 'evaluator' && role !== 'trainer') return false;
  return team !== undefined && actor.teams.includes(team);
}
