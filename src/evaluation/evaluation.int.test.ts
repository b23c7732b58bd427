import { it } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS } from '../clock.ts';
import { forEachDialect } from '../db/testing.ts';
import type { Db } from '../db/index.ts';
import { isEcouteError } from '../errors.ts';
import { seededRng } from '../random.ts';
import { EvaluationErrors } from './errors.ts';
import type { Actor } from './evaluation.access.ts';
import { EvaluationService, MAX_ANALYSIS_RETENTION_DAYS } from './evaluation.service.ts';
import { EvaluationSessions, replaySample } from './evaluation.sessions.ts';
import { GridStore } from './grid.store.ts';

const GRID = {
  name: 'Accueil',
  sections: [
    {
      id: 'accueil',
      title: 'Accueil',
      criteria: [
        { id: 'salutation', label: 'Salutation', kind: 'yes_no', weight: 1 },
        { id: 'ecoute', label: 'Écoute', kind: 'scale', max: 4, weight: 2 },
        { id: 'rgpd', label: 'Mention RGPD', kind: 'yes_no', weight: 1, critical: true },
      ],
    },
  ],
};

const evaluator: Actor = { id: 'u-eval', roles: ['evaluator'], teams: ['north'] };
const evaluator2: Actor = { id: 'u-eval2', roles: ['evaluator'], teams: ['north'] };
const outsider: Actor = { id: 'u-south', roles: ['evaluator'], teams: ['south'] };
const trainer: Actor = { id: 'u-trainer', roles: ['trainer'], teams: ['north'] };
const agent: Actor = { id: 'u-agent', roles: ['agent'], teams: [], agentId: 'a-1' };
const answers = { salutation: 'yes', ecoute: 3, rgpd: 'yes' } as const;

async function seed(
  db: Db,
  id: string,
  startedAt: number,
  purposes: string[],
  agentId = 'a-1',
): Promise<void> {
  await db.recordings.insert({
    id,
    callId: `c-${id}`,
    policyId: 'p',
    policyVersion: 1,
    purposes,
    startedAt,
    agentId,
    team: 'north',
    direction: 'inbound',
  });
  await db.recordings.setSealed(id, {
    endedAt: startedAt + 90_000,
    durationMs: 90_000,
    segments: [{ kind: 'recorded', startMs: 0, endMs: 90_000 }],
    codec: 'opus/ogg',
    sizeBytes: 100,
    sha256: 'x',
    blobKey: `b/${id}`,
    // The audio goes in 30 days: the evaluation must not follow it (R-RET-2 independence).
    expiresAt: startedAt + 30 * DAY_MS,
  });
}

const codeOf = (e: unknown): string | undefined => (isEcouteError(e) ? e.code : undefined);

forEachDialect('evaluations', (h) => {
  const build = () => {
    const grids = new GridStore({ db: h.db, clock: h.clock });
    const evaluations = new EvaluationService({ db: h.db, grids, clock: h.clock });
    const sessions = new EvaluationSessions({
      db: h.db,
      grids,
      evaluations,
      clock: h.clock,
      rng: seededRng('t'),
    });
    return { grids, evaluations, sessions };
  };

  it('versions grid templates: a change is a new version and old versions stay readable', async () => {
    const { grids } = build();
    const v1 = await grids.create(GRID, 'u-admin');
    const v2 = await grids.revise(v1.gridId, { ...GRID, name: 'Accueil v2' }, 'u-admin');
    assert.equal(v2.version, 2);
    assert.equal((await grids.get(v1.gridId, 1)).name, 'Accueil');
    assert.equal((await grids.get(v1.gridId)).name, 'Accueil v2');
    assert.ok((await grids.list()).some((g) => g.gridId === v1.gridId && g.latestVersion === 2));
  });

  it('R-MIN-1 R-RET-2: an evaluation keeps only ids, technical call data, scores and comment; expiry ≤ 365 days, independent of the audio', async () => {
    const { grids, evaluations } = build();
    const g = await grids.create(GRID, 'u-admin');
    const t0 = h.clock.now();
    await seed(h.db, 'r-min', t0 - DAY_MS, ['evaluation']);
    const e = await evaluations.create(evaluator, {
      recordingId: 'r-min',
      purpose: 'evaluation',
      gridId: g.gridId,
      answers,
      comment: 'Bonne reformulation.',
    });
    assert.deepEqual(Object.keys(e.content).sort(), [
      'answers',
      'call',
      'comment',
      'gridId',
      'gridVersion',
      'purpose',
      'score',
    ]);
    assert.deepEqual(e.content.call, { startedAt: t0 - DAY_MS, durationMs: 90_000 });
    assert.equal(e.agentId, 'a-1');
    assert.equal(e.evaluatorId, 'u-eval');
    assert.equal(e.content.score.total, 87.5);
    assert.equal(e.expiresAt, e.createdAt + 365 * DAY_MS);
    const rec = await h.db.recordings.get('r-min');
    assert.notEqual(e.expiresAt, rec?.expiresAt);
    const tooLong = await evaluations
      .create(evaluator, {
        recordingId: 'r-min',
        purpose: 'evaluation',
        gridId: g.gridId,
        answers,
        retentionDays: MAX_ANALYSIS_RETENTION_DAYS + 1,
      })
      .catch((x: unknown) => x);
    assert.equal(codeOf(tooLong), EvaluationErrors.RETENTION_TOO_LONG.code);
    // The retention job's query finds it exactly at its expiry, not a millisecond before.
    h.clock.advance(365 * DAY_MS - 1);
    assert.ok(!(await h.db.analysis.listExpiring(h.clock.now())).some((d) => d.id === e.id));
    h.clock.advance(1);
    assert.ok((await h.db.analysis.listExpiring(h.clock.now())).some((d) => d.id === e.id));
  });

  it('R-MIN-1: a comment with personal data is refused with kinds and offsets, never the value', async () => {
    const { grids, evaluations } = build();
    const g = await grids.create(GRID, 'u-admin');
    await seed(h.db, 'r-pd', h.clock.now(), ['quality']);
    const err = await evaluations
      .create(evaluator, {
        recordingId: 'r-pd',
        purpose: 'quality',
        gridId: g.gridId,
        answers,
        comment: 'client au 06 12 34 56 78',
      })
      .catch((x: unknown) => x);
    assert.equal(codeOf(err), EvaluationErrors.PERSONAL_DATA.code);
    assert.ok(isEcouteError(err));
    assert.deepEqual(err.context.findings, [{ kind: 'phone', start: 10, end: 24 }]);
    assert.equal(JSON.stringify(err.context).includes('12 34'), false);
    assert.equal((await h.db.analysis.forRecording('r-pd')).length, 0);
  });

  it('R-MIN-2 R-MIN-3: only for one of the recording\u2019s purposes, by a role tied to it, in the evaluator\u2019s teams', async () => {
    const { grids, evaluations } = build();
    const g = await grids.create(GRID, 'u-admin');
    await seed(h.db, 'r-tr', h.clock.now(), ['training']);
    const base = { recordingId: 'r-tr', gridId: g.gridId, answers };
    assert.equal(
      codeOf(await evaluations.create(evaluator, { ...base, purpose: 'quality' }).catch((x: unknown) => x)),
      EvaluationErrors.PURPOSE.code,
    );
    assert.equal(
      codeOf(await evaluations.create(evaluator, { ...base, purpose: 'training' }).catch((x: unknown) => x)),
      EvaluationErrors.FORBIDDEN.code,
    );
    assert.equal(
      (await evaluations.create(trainer, { ...base, purpose: 'training' })).evaluatorId,
      'u-trainer',
    );
    await seed(h.db, 'r-q', h.clock.now(), ['quality']);
    const far = await evaluations
      .create(outsider, { ...base, recordingId: 'r-q', purpose: 'quality' })
      .catch((x: unknown) => x);
    assert.equal(codeOf(far), EvaluationErrors.FORBIDDEN.code);
  });

  it('R-EMP-7 R-MIN-1: the agent sees their evaluations and replies; the reply is screened too', async () => {
    const { grids, evaluations } = build();
    const g = await grids.create(GRID, 'u-admin');
    await seed(h.db, 'r-ag', h.clock.now(), ['evaluation']);
    const e = await evaluations.create(evaluator, {
      recordingId: 'r-ag',
      purpose: 'evaluation',
      gridId: g.gridId,
      answers,
    });
    assert.ok((await evaluations.forAgent(agent, 'a-1')).some((x) => x.id === e.id));
    const other: Actor = { ...agent, id: 'u-a2', agentId: 'a-2' };
    assert.equal(
      codeOf(await evaluations.get(other, e.id).catch((x: unknown) => x)),
      EvaluationErrors.FORBIDDEN.code,
    );
    const dirty = await evaluations.agentReply(agent, e.id, 'écrivez-moi: a@b.fr').catch((x: unknown) => x);
    assert.equal(codeOf(dirty), EvaluationErrors.PERSONAL_DATA.code);
    const ok = await evaluations.agentReply(agent, e.id, 'Je conteste le point écoute.');
    assert.equal((await evaluations.get(agent, e.id)).content.agentReply?.text, ok.content.agentReply?.text);
  });

  it('calibration: several evaluators, spread max-min and std-dev per criterion and total, for trainers', async () => {
    const { grids, sessions } = build();
    const g = await grids.create(GRID, 'u-admin');
    await seed(h.db, 'r-cal', h.clock.now(), ['evaluation', 'training']);
    const s = await sessions.openCalibration(trainer, {
      recordingId: 'r-cal',
      gridId: g.gridId,
      purpose: 'evaluation',
    });
    await sessions.submit(evaluator, s.id, { answers });
    await sessions.submit(evaluator2, s.id, { answers: { salutation: 'yes', ecoute: 1, rgpd: 'no' } });
    const { report } = await sessions.report(trainer, s.id);
    assert.equal(report.evaluations, 2);
    const ecoute = report.criteria.find((c) => c.id === 'ecoute');
    assert.deepEqual([ecoute?.spread, ecoute?.stdDev], [50, 25]);
    assert.deepEqual([report.total.min, report.total.max, report.total.spread], [0, 87.5, 87.5]);
    assert.equal(
      codeOf(await sessions.report(evaluator, s.id).catch((x: unknown) => x)),
      EvaluationErrors.FORBIDDEN.code,
    );
  });

  it('sampling: N per agent and month, drawn from evaluable recordings, seeded, recorded and replayable', async () => {
    const { sessions } = build();
    const nov = Date.UTC(2026, 10, 3);
    for (let i = 0; i < 8; i++)
      await seed(h.db, `s-${i}`, nov + i * DAY_MS, i === 7 ? ['contract_proof'] : ['quality'], 'a-9');
    await seed(h.db, 's-dec', Date.UTC(2026, 11, 2), ['quality'], 'a-9');
    const d = await sessions.drawSample(evaluator, 'a-9', '2026-11', 3);
    assert.equal(d.candidates.length, 7);
    assert.ok(!d.candidates.includes('s-7') && !d.candidates.includes('s-dec'));
    assert.equal(d.picks.length, 3);
    assert.equal(new Set(d.picks).size, 3);
    assert.deepEqual(replaySample(d), d.picks);
    assert.deepEqual((await sessions.draws('a-9', '2026-11')).at(-1)?.picks, d.picks);
    assert.equal((await sessions.drawSample(outsider, 'a-9', '2026-11', 3)).candidates.length, 0);
  });
});
