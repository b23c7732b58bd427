/**
 * Evaluation grids, evaluations, agent replies, calibration sessions and sampling draws. Every route
 * goes through requireAccess (which writes the access log) with the recording as object where there is
 * one (team and agent scope, R-MIN-3), then through the evaluation rules (R-MIN-1, R-MIN-2, R-RET-2).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { requireAccess } from '../access/require-access.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import { cryptoRng } from '../../random.ts';
import type { Rng } from '../../policy/rng.ts';
import type { Actor } from '../../evaluation/evaluation.access.ts';
import type { Action, Purpose } from '../access/roles.ts';
import { EvaluationService, type NewEvaluation } from '../../evaluation/evaluation.service.ts';
import { EvaluationSessions } from '../../evaluation/evaluation.sessions.ts';
import { GridStore } from '../../evaluation/grid.store.ts';
import type { Answers } from '../../evaluation/grid.ts';
import {
  actorOf,
  anyObject,
  installEvaluationErrors,
  personalDataProblem,
  reposOf,
} from './evaluation.http.ts';

const errs = { ...errors, 409: problemRef, 422: personalDataProblem } as const;
const answersSchema = {
  type: 'object',
  additionalProperties: {
    anyOf: [
      { type: 'integer', minimum: 0, maximum: 10 },
      { type: 'string', enum: ['yes', 'no', 'na'] },
    ],
  },
} as const;

/**
 * Checks `action` against the recording (its team, agent and purposes: R-MIN-2, R-MIN-3) through
 * requireAccess, so a refusal is logged `denied` with its rule, then returns the actor.
 */
async function onRecording(
  req: FastifyRequest,
  svc: EvaluationService,
  recordingId: string,
  check: { action: Action; purpose?: string; detail?: Record<string, unknown> },
): Promise<Actor> {
  const r = await svc.recording(recordingId);
  await requireAccess(req, {
    action: check.action,
    object: {
      type: 'recording',
      id: r.id,
      team: r.team ?? null,
      agentId: r.agentId ?? null,
      ...(check.action === 'read_metadata' ? {} : { purposes: r.purposes as Purpose[] }),
    },
    ...(check.purpose === undefined ? {} : { purpose: check.purpose }),
    ...(check.detail ? { detail: check.detail } : {}),
  });
  return actorOf(req);
}

async function onObject(
  req: FastifyRequest,
  type: string,
  id?: string,
  action: Action = 'read_self',
  team?: string | null,
): Promise<Actor> {
  await requireAccess(req, {
    action,
    object: { type, ...(id ? { id } : {}), ...(team === undefined ? {} : { team }) },
  });
  return actorOf(req);
}

export const evaluationsRoutes =
  (deps: ApiDeps, opts: { readonly rng?: Rng } = {}): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    installEvaluationErrors(app);
    const db = reposOf(deps);
    const grids = new GridStore({ db, clock: deps.clock });
    const evaluations = new EvaluationService({ db, grids, clock: deps.clock });
    const sessions = new EvaluationSessions({
      db,
      grids,
      evaluations,
      clock: deps.clock,
      rng: opts.rng ?? cryptoRng(),
    });
    const inHandler = { access: { action: 'read_self', inHandler: true } } as const;
    const gridRead = { access: { action: 'grid_read', inHandler: true } } as const;
    const gridAdmin = { access: { action: 'grid_admin', inHandler: true } } as const;
    const evaluate = { access: { action: 'evaluate', inHandler: true } } as const;
    const calibrate = { access: { action: 'calibrate', inHandler: true } } as const;
    const tags = ['evaluations'];

    app.get(
      '/api/evaluation-grids',
      {
        config: gridRead,
        schema: { tags, response: { 200: { type: 'array', items: anyObject }, ...errs } },
      },
      async (req) => {
        await onObject(req, 'evaluation_grid', undefined, 'grid_read');
        return grids.list();
      },
    );
    app.post<{ Body: Record<string, unknown> }>(
      '/api/evaluation-grids',
      { config: gridAdmin, schema: { tags, body: anyObject, response: { 201: anyObject, ...errs } } },
      async (req, reply) => {
        const actor = await onObject(req, 'evaluation_grid', undefined, 'grid_admin');
        return reply.code(201).send(await grids.create(req.body, actor.id));
      },
    );
    app.get<{ Params: { id: string }; Querystring: { version?: number } }>(
      '/api/evaluation-grids/:id',
      {
        config: gridRead,
        schema: {
          tags,
          params: idParam,
          querystring: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } },
          response: { 200: anyObject, ...errs },
        },
      },
      async (req) => {
        await onObject(req, 'evaluation_grid', req.params.id, 'grid_read');
        return grids.get(req.params.id, req.query.version);
      },
    );
    app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
      '/api/evaluation-grids/:id',
      {
        config: gridAdmin,
        schema: {
          tags,
          description: 'A change is a new version.',
          params: idParam,
          body: anyObject,
          response: { 200: anyObject, ...errs },
        },
      },
      async (req) => {
        const actor = await onObject(req, 'evaluation_grid', req.params.id, 'grid_admin');
        return grids.revise(req.params.id, req.body, actor.id);
      },
    );
    app.delete<{ Params: { id: string } }>(
      '/api/evaluation-grids/:id',
      {
        config: gridAdmin,
        schema: {
          tags,
          description: 'Retires the grid; versions stay for existing evaluations.',
          params: idParam,
          response: { 204: { type: 'null' }, ...errs },
        },
      },
      async (req, reply) => {
        await onObject(req, 'evaluation_grid', req.params.id, 'grid_admin');
        await grids.retire(req.params.id);
        return reply.code(204).send();
      },
    );

    const newEvaluation = {
      type: 'object',
      properties: {
        recordingId: { type: 'string', minLength: 1 },
        purpose: { type: 'string', enum: ['evaluation', 'quality', 'training'] },
        gridId: { type: 'string', minLength: 1 },
        gridVersion: { type: 'integer', minimum: 1 },
        answers: answersSchema,
        comment: { type: 'string', maxLength: 4000 },
        retentionDays: { type: 'integer', minimum: 1 },
      },
      required: ['recordingId', 'purpose', 'gridId', 'answers'],
      additionalProperties: false,
    } as const;
    app.post<{ Body: NewEvaluation }>(
      '/api/evaluations',
      { config: evaluate, schema: { tags, body: newEvaluation, response: { 201: anyObject, ...errs } } },
      async (req, reply) => {
        const actor = await onRecording(req, evaluations, req.body.recordingId, {
          action: 'evaluate',
          purpose: req.body.purpose,
        });
        return reply.code(201).send(await evaluations.create(actor, req.body));
      },
    );
    app.get<{ Querystring: { agentId?: string; recordingId?: string } }>(
      '/api/evaluations',
      {
        config: inHandler,
        schema: {
          tags,
          querystring: {
            type: 'object',
            properties: { agentId: { type: 'string' }, recordingId: { type: 'string' } },
            additionalProperties: false,
          },
          response: { 200: { type: 'array', items: anyObject }, ...errs },
        },
      },
      async (req) => {
        if (req.query.recordingId)
          return evaluations.forRecording(
            await onRecording(req, evaluations, req.query.recordingId, { action: 'read_metadata' }),
            req.query.recordingId,
          );
        const actor = await onObject(req, 'evaluations', req.query.agentId);
        const agentId = req.query.agentId ?? actor.agentId;
        return agentId ? evaluations.forAgent(actor, agentId) : [];
      },
    );
    app.get<{ Params: { id: string } }>(
      '/api/evaluations/:id',
      { config: inHandler, schema: { tags, params: idParam, response: { 200: anyObject, ...errs } } },
      async (req) => evaluations.get(await onObject(req, 'evaluation', req.params.id), req.params.id),
    );
    app.post<{ Params: { id: string }; Body: { text: string } }>(
      '/api/evaluations/:id/agent-comment',
      {
        config: inHandler,
        schema: {
          tags,
          params: idParam,
          body: {
            type: 'object',
            properties: { text: { type: 'string', minLength: 1, maxLength: 4000 } },
            required: ['text'],
            additionalProperties: false,
          },
          response: { 200: anyObject, ...errs },
        },
      },
      async (req) =>
        evaluations.agentReply(
          await onObject(req, 'evaluation', req.params.id),
          req.params.id,
          req.body.text,
        ),
    );

    app.post<{ Body: { recordingId: string; gridId: string; gridVersion?: number; purpose: string } }>(
      '/api/calibrations',
      {
        config: calibrate,
        schema: {
          tags,
          body: {
            type: 'object',
            properties: {
              recordingId: { type: 'string' },
              gridId: { type: 'string' },
              gridVersion: { type: 'integer', minimum: 1 },
              purpose: { type: 'string' },
            },
            required: ['recordingId', 'gridId', 'purpose'],
            additionalProperties: false,
          },
          response: { 201: anyObject, ...errs },
        },
      },
      async (req, reply) => {
        const actor = await onRecording(req, evaluations, req.body.recordingId, {
          action: 'calibrate',
          purpose: req.body.purpose,
        });
        return reply.code(201).send(await sessions.openCalibration(actor, req.body));
      },
    );
    app.post<{ Params: { id: string }; Body: { answers: Answers; comment?: string } }>(
      '/api/calibrations/:id/evaluations',
      {
        config: evaluate,
        schema: {
          tags,
          params: idParam,
          body: {
            type: 'object',
            properties: { answers: answersSchema, comment: { type: 'string', maxLength: 4000 } },
            required: ['answers'],
            additionalProperties: false,
          },
          response: { 201: anyObject, ...errs },
        },
      },
      async (req, reply) => {
        const s = await sessions.session(req.params.id);
        const actor = await onRecording(req, evaluations, s.recordingId, {
          action: 'evaluate',
          purpose: s.purpose,
          detail: { calibration: s.id },
        });
        return reply.code(201).send(await sessions.submit(actor, s.id, req.body));
      },
    );
    app.get<{ Params: { id: string } }>(
      '/api/calibrations/:id',
      { config: calibrate, schema: { tags, params: idParam, response: { 200: anyObject, ...errs } } },
      async (req) => {
        const s = await sessions.session(req.params.id);
        const actor = await onObject(req, 'calibration', s.id, 'calibrate', s.team ?? null);
        return sessions.report(actor, s.id);
      },
    );

    app.post<{ Body: { agentId: string; month: string; count: number } }>(
      '/api/evaluation-samples',
      {
        config: evaluate,
        schema: {
          tags,
          description: 'Draws N recordings of an agent for a month, seeded and recorded (replayable).',
          body: {
            type: 'object',
            properties: {
              agentId: { type: 'string', minLength: 1 },
              month: { type: 'string', pattern: '^\\d{4}-\\d{2}$' },
              count: { type: 'integer', minimum: 1, maximum: 50 },
            },
            required: ['agentId', 'month', 'count'],
            additionalProperties: false,
          },
          response: { 201: anyObject, ...errs },
        },
      },
      async (req, reply) => {
        const actor = await onObject(req, 'evaluation_sample', req.body.agentId, 'evaluate');
        return reply
          .code(201)
          .send(await sessions.drawSample(actor, req.body.agentId, req.body.month, req.body.count));
      },
    );
  };
