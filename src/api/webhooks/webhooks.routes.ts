/**
 * Webhook endpoints, managed by an admin (action webhook_admin): events are recording.sealed,
 * recording.deleted, call.objection and request.due; deliveries are signed (`Ecoute-Signature: t=…,v1=…`,
 * HMAC-SHA-256 over "t.body") and retried with exponential back-off (src/webhooks/). The secret is shown
 * once, at creation.
 */
import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess } from '../access/require-access.ts';
import { errors, idParam, ok, problemRef } from '../schemas.ts';
import { WEBHOOK_EVENTS, type WebhookEndpoint } from '../../webhooks/endpoints.ts';
import type { WebhookService } from '../../webhooks/webhook.service.ts';
import { CallsErrors } from '../calls/errors.ts';

const endpoint = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
    secret: { type: 'string', description: 'Only in the creation response.' },
  },
  required: ['id', 'url', 'events', 'createdAt'],
} as const;

const view = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  createdAt: e.createdAt,
  createdBy: e.createdBy,
});

export const webhooksRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const service = (): WebhookService => {
      if (!deps.webhooks) throw fail(CallsErrors.UNAVAILABLE, 'webhooks are not configured on this node');
      return deps.webhooks;
    };

    app.get(
      '/api/webhooks',
      {
        config: { access: 'webhook_admin' },
        schema: {
          tags: ['webhooks'],
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: endpoint } },
              required: ['items'],
            },
            503: problemRef,
            ...errors,
          },
        },
      },
      async () => ({ items: (await service().endpoints.list()).map(view) }),
    );

    app.post<{ Body: { url: string; events: string[] } }>(
      '/api/webhooks',
      {
        config: { access: { action: 'webhook_admin', inHandler: true } },
        schema: {
          tags: ['webhooks'],
          description: 'Adds an endpoint; the response carries its signing secret, shown this once.',
          body: {
            type: 'object',
            properties: {
              url: { type: 'string', minLength: 8, maxLength: 2000 },
              events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS] }, minItems: 1 },
            },
            required: ['url', 'events'],
            additionalProperties: false,
          },
          response: { 201: endpoint, 422: problemRef, 503: problemRef, ...errors },
        },
      },
      async (req, reply) => {
        const p = await requireAccess(req, {
          action: 'webhook_admin',
          object: { type: 'webhook' },
          detail: { event: 'add', events: req.body.events },
        });
        const e = await service().endpoints.add({ ...req.body, by: p.id });
        return reply.code(201).send({ ...view(e), secret: e.secret });
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/api/webhooks/:id',
      {
        config: { access: { action: 'webhook_admin', inHandler: true } },
        schema: { tags: ['webhooks'], params: idParam, response: { 200: ok, 503: problemRef, ...errors } },
      },
      async (req) => {
        await requireAccess(req, {
          action: 'webhook_admin',
          object: { type: 'webhook', id: req.params.id },
          detail: { event: 'remove' },
        });
        await service().endpoints.remove(req.params.id);
        return { ok: true };
      },
    );
  };
