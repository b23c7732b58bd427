import type { FastifyPluginAsync } from 'fastify';
import type { HoldsService } from '../../jobs/holds.service.ts';
import { errors, idParam } from '../schemas.ts';

const holdSchema = { type: 'object', additionalProperties: true } as const;
const idsBody = {
  type: 'object',
  properties: { recordingIds: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 10_000 } },
  required: ['recordingIds'],
  additionalProperties: false,
} as const;

/** Legal holds (R-RET-6): the DPO creates, attaches, releases and lists every hold. */
export const holdsRoutes =
  (holds: HoldsService): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get<{ Querystring: { active?: boolean } }>(
      '/api/holds',
      {
        config: { access: 'hold' },
        schema: {
          tags: ['holds'],
          querystring: {
            type: 'object',
            properties: { active: { type: 'boolean' } },
            additionalProperties: false,
          },
          response: {
            200: { type: 'object', properties: { holds: { type: 'array', items: holdSchema } } },
            ...errors,
          },
        },
      },
      async (req) => ({
        holds: await holds.list(req.query.active === undefined ? {} : { active: req.query.active }),
      }),
    );

    app.post<{ Body: { reason: string; owner: string; reviewAt: string; recordingIds?: string[] } }>(
      '/api/holds',
      {
        config: { access: 'hold' },
        schema: {
          tags: ['holds'],
          body: {
            type: 'object',
            properties: {
              reason: { type: 'string', minLength: 1, maxLength: 2000 },
              owner: { type: 'string', minLength: 1, maxLength: 200 },
              reviewAt: { type: 'string', format: 'date-time' },
              recordingIds: idsBody.properties.recordingIds,
            },
            required: ['reason', 'owner', 'reviewAt'],
            additionalProperties: false,
          },
          response: { 201: holdSchema, ...errors },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const hold = await holds.create(
          {
            reason: b.reason,
            owner: b.owner,
            reviewAt: Date.parse(b.reviewAt),
            createdBy: req.principal?.id ?? 'unknown',
          },
          b.recordingIds ?? [],
        );
        return reply.status(201).send(hold);
      },
    );

    app.post<{ Params: { id: string }; Body: { recordingIds: string[] } }>(
      '/api/holds/:id/attach',
      {
        config: { access: 'hold' },
        schema: { tags: ['holds'], params: idParam, body: idsBody, response: { 200: holdSchema, ...errors } },
      },
      (req) => holds.attach(req.params.id, req.body.recordingIds),
    );

    app.post<{ Params: { id: string } }>(
      '/api/holds/:id/release',
      {
        config: { access: 'hold' },
        schema: { tags: ['holds'], params: idParam, response: { 200: holdSchema, ...errors } },
      },
      (req) => holds.release(req.params.id, req.principal?.id ?? 'unknown'),
    );
  };
