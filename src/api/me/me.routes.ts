import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps.ts';
import { requireAccess } from '../access/require-access.ts';
import { errors } from '../schemas.ts';
import { recordingSchema } from '../recordings/recordings.routes.ts';
import { searchRecordings } from '../recordings/recordings.query.ts';
import { AUDIO_ACTIONS } from '../access/roles.ts';
import { campaignSchema, campaignsFor } from './campaigns.ts';

const listener = {
  type: 'object',
  properties: {
    at: { type: 'integer' },
    recordingId: { type: ['string', 'null'] },
    action: { type: 'string' },
    listenerRole: { type: 'string' },
    purpose: { type: ['string', 'null'] },
  },
  required: ['at', 'action', 'listenerRole'],
} as const;

/**
 * What an agent may know about themself (R-EMP-7): the metadata of their recordings and who listened
 * to them and when. Reading the access log here is the agent's right of access, not analytics (R-SEC-3):
 * it returns one agent's own entries, never aggregates across agents.
 */
export const meRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get(
      '/api/me/campaigns',
      {
        config: { access: { action: 'read_self', inHandler: true } },
        schema: {
          tags: ['me'],
          description:
            'R-EMP-3: the campaigns (policies in force) that apply to me by my team, with purposes, dates and whether live listening is possible.',
          response: {
            200: {
              type: 'object',
              properties: {
                items: { type: 'array', items: campaignSchema },
                employeeNoticeVersion: { type: ['integer', 'null'] },
                acknowledgedNoticeVersion: { type: ['integer', 'null'] },
              },
              required: ['items'],
            },
            ...errors,
          },
        },
      },
      async (req) => {
        const p = await requireAccess(req, { action: 'read_self', object: { type: 'own_campaigns' } });
        const file = deps.policies?.current()?.file;
        if (p.kind !== 'user' || !p.agentId)
          return { items: [], employeeNoticeVersion: null, acknowledgedNoticeVersion: null };
        const agent = await deps.db
          .selectFrom('agents')
          .select(['teamId', 'noticeVersion'])
          .where('id', '=', p.agentId)
          .executeTakeFirst();
        return {
          items: campaignsFor(file, agent?.teamId ?? undefined, deps.clock.now()),
          employeeNoticeVersion: file?.notices.employee.version ?? null,
          acknowledgedNoticeVersion:
            agent?.noticeVersion === null || !agent ? null : Number(agent.noticeVersion),
        };
      },
    );

    app.get(
      '/api/me/recordings',
      {
        config: { access: { action: 'read_self', inHandler: true } },
        schema: {
          tags: ['me'],
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: recordingSchema } },
              required: ['items'],
            },
            ...errors,
          },
        },
      },
      async (req) => {
        const p = await requireAccess(req, { action: 'read_self', object: { type: 'own_recordings' } });
        if (p.kind !== 'user' || !p.agentId) return { items: [] };
        return {
          items: await searchRecordings(
            deps.db,
            { ...p, roles: ['agent'], teams: [] },
            { agentId: p.agentId, limit: 500 },
          ),
        };
      },
    );

    app.get(
      '/api/me/listeners',
      {
        config: { access: { action: 'read_self', inHandler: true } },
        schema: {
          tags: ['me'],
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: listener } },
              required: ['items'],
            },
            ...errors,
          },
        },
      },
      async (req) => {
        const p = await requireAccess(req, { action: 'read_self', object: { type: 'own_listeners' } });
        if (p.kind !== 'user' || !p.agentId) return { items: [] };
        const rows = await deps.db
          .selectFrom('accessLog')
          .innerJoin('recordings', 'recordings.id', 'accessLog.objectId')
          .select([
            'accessLog.at',
            'accessLog.objectId',
            'accessLog.action',
            'accessLog.role',
            'accessLog.purpose',
          ])
          .where('recordings.agentId', '=', p.agentId)
          .where('accessLog.objectType', '=', 'recording')
          .where('accessLog.result', '=', 'allowed')
          .where('accessLog.action', 'in', [...AUDIO_ACTIONS])
          .orderBy('accessLog.seq', 'desc')
          .limit(500)
          .execute();
        // The listener's role and purpose, not their identity: the agent learns that and when, as R-EMP-7 asks.
        return {
          items: rows.map((r) => ({
            at: Number(r.at),
            recordingId: r.objectId,
            action: r.action,
            listenerRole: r.role,
            purpose: r.purpose,
          })),
        };
      },
    );
  };
