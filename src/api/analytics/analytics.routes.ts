/**
 * Conversation analytics: one recording's talk analytics, and aggregates per team and period (R-SEC-3:
 * computed from analysis documents, never from the access log). Every route goes through requireAccess.
 */
import type { FastifyPluginAsync } from 'fastify';
import { requireAccess } from '../access/require-access.ts';
import type { ApiDeps } from '../deps.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import { teamAggregates } from '../../analytics/aggregates.ts';
import { TALK_ANALYTICS_KIND } from '../../analytics/analytics.job.ts';
import { fail } from '../../errors.ts';
import { EvaluationErrors } from '../../evaluation/errors.ts';
import { ANALYTICS_ROLES, assertRole } from '../../evaluation/evaluation.access.ts';
import { actorOf, anyObject, installEvaluationErrors, reposOf } from '../evaluations/evaluation.http.ts';

const errs = { ...errors, 409: problemRef } as const;
const MANAGERS = ['supervisor', 'trainer'] as const;

export const analyticsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    installEvaluationErrors(app);
    const db = reposOf(deps);
    const tags = ['analytics'];

    app.get<{ Params: { id: string } }>(
      '/api/recordings/:id/analytics',
      {
        config: { access: { action: 'read_metadata', inHandler: true } },
        schema: { tags, params: idParam, response: { 200: anyObject, ...errs } },
      },
      async (req) => {
        const r = await db.recordings.get(req.params.id);
        if (!r) throw fail(EvaluationErrors.NOT_FOUND, 'no such recording');
        await requireAccess(req, {
          action: 'read_metadata',
          object: { type: 'recording', id: r.id, team: r.team ?? null, agentId: r.agentId ?? null },
        });
        const actor = actorOf(req);
        // The agent sees the analytics of their own calls (the matrix checked the agent id).
        if (!actor.agentId || actor.agentId !== r.agentId) assertRole(actor, ANALYTICS_ROLES, r.team);
        const doc = (await db.analysis.forRecording(r.id)).find((d) => d.kind === TALK_ANALYTICS_KIND);
        if (!doc) throw fail(EvaluationErrors.NOT_FOUND, 'no analytics for this recording yet');
        return {
          recordingId: r.id,
          createdAt: doc.createdAt,
          expiresAt: doc.expiresAt,
          ...(doc.content as object),
        };
      },
    );

    app.get<{ Querystring: { team?: string; from: number; to: number } }>(
      '/api/analytics/teams',
      {
        config: { access: { action: 'read_self', inHandler: true } },
        schema: {
          tags,
          description:
            'Aggregates per team over [from, to) (ms): evaluations and talk analytics only (R-SEC-3).',
          querystring: {
            type: 'object',
            properties: { team: { type: 'string' }, from: { type: 'integer' }, to: { type: 'integer' } },
            required: ['from', 'to'],
            additionalProperties: false,
          },
          response: { 200: { type: 'array', items: anyObject }, ...errs },
        },
      },
      async (req) => {
        await requireAccess(req, {
          action: 'read_self',
          object: { type: 'team_aggregates', ...(req.query.team ? { id: req.query.team } : {}) },
        });
        const actor = actorOf(req);
        assertRole(actor, MANAGERS, req.query.team);
        const teams = req.query.team ? [req.query.team] : actor.teams;
        return teamAggregates(deps.db, { teams, from: req.query.from, to: req.query.to });
      },
    );
  };
