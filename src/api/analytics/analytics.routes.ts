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
import { actorOf, anyObject, installEvaluationErrors, reposOf } from '../evaluations/evaluation.http.ts';

const errs = { ...errors, 409: problemRef } as const;

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
        config: { access: { action: 'analytics_read', inHandler: true } },
        schema: { tags, params: idParam, response: { 200: anyObject, ...errs } },
      },
      async (req) => {
        const r = await db.recordings.get(req.params.id);
        if (!r) throw fail(EvaluationErrors.NOT_FOUND, 'no such recording');
        // The agent sees the analytics of their own calls (read_metadata checks the agent id); anyone
        // else needs analytics_read in the recording's team (R-MIN-3), refused and logged by the matrix.
        const p = req.principal;
        const own = p?.kind === 'user' && !!p.agentId && p.agentId === r.agentId;
        await requireAccess(req, {
          action: own ? 'read_metadata' : 'analytics_read',
          object: { type: 'recording', id: r.id, team: r.team ?? null, agentId: r.agentId ?? null },
        });
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
        config: { access: { action: 'analytics_read', inHandler: true } },
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
        // Without `team`, the aggregates cover the caller's own teams; with it, the matrix checks scope.
        await requireAccess(req, {
          action: 'analytics_read',
          object: {
            type: 'team_aggregates',
            ...(req.query.team ? { id: req.query.team, team: req.query.team } : {}),
          },
        });
        const actor = actorOf(req);
        const teams = req.query.team ? [req.query.team] : actor.teams;
        return teamAggregates(deps.db, { teams, from: req.query.from, to: req.query.to });
      },
    );
  };
