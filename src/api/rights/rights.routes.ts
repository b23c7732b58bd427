import { createReadStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { DSR_KINDS, type DsrKind } from '../../db/rights.repo.ts';
import type { Rectification, RightsService } from '../../rights/rights.service.ts';
import { requireAccess } from '../access/require-access.ts';
import { errors, idParam } from '../schemas.ts';

const view = { type: 'object', additionalProperties: true } as const;
const stamp = { type: 'string', format: 'date-time' } as const;
const ms = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

interface RegisterBody {
  kind: DsrKind;
  phoneNumber?: string;
  customerId?: string;
  agentId?: string;
  from?: string;
  to?: string;
  receivedAt?: string;
}

/**
 * Data-subject requests (R-DSR-1..4, R-CAL-4). Reading or changing a request is `dsr` (DPO); erasure is
 * `delete`; the access export is `export` for the controller's legal obligation (GDPR art. 15), so it
 * needs the DPO's second factor and is logged like any export.
 */
export const rightsRoutes =
  (deps: { rights: RightsService; exportDir: string }): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const { rights } = deps;
    app.get<{ Querystring: { open?: boolean } }>(
      '/api/dsr',
      {
        config: { access: 'dsr' },
        schema: {
          tags: ['rights'],
          querystring: {
            type: 'object',
            properties: { open: { type: 'boolean' } },
            additionalProperties: false,
          },
          response: {
            200: { type: 'object', properties: { requests: { type: 'array', items: view } } },
            ...errors,
          },
        },
      },
      async (req) => ({
        requests: await rights.list(req.query.open === undefined ? {} : { open: req.query.open }),
      }),
    );

    app.post<{ Body: RegisterBody }>(
      '/api/dsr',
      {
        config: { access: 'dsr' },
        schema: {
          tags: ['rights'],
          body: {
            type: 'object',
            properties: {
              kind: { type: 'string', enum: [...DSR_KINDS] },
              phoneNumber: { type: 'string', maxLength: 64 },
              customerId: { type: 'string', maxLength: 200 },
              agentId: { type: 'string', maxLength: 200 },
              from: stamp,
              to: stamp,
              receivedAt: stamp,
            },
            required: ['kind'],
            additionalProperties: false,
          },
          response: { 201: view, ...errors },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const r = await rights.register({
          kind: b.kind,
          subject: {
            phoneNumber: b.phoneNumber,
            customerId: b.customerId,
            agentId: b.agentId,
            from: ms(b.from),
            to: ms(b.to),
          },
          ...(b.receivedAt !== undefined && { receivedAt: Date.parse(b.receivedAt) }),
        });
        return reply.status(201).send(r);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/dsr/:id',
      {
        config: { access: 'dsr' },
        schema: { tags: ['rights'], params: idParam, response: { 200: view, ...errors } },
      },
      (req) => rights.get(req.params.id),
    );

    app.get<{ Params: { id: string } }>(
      '/api/dsr/:id/findings',
      {
        config: { access: 'dsr' },
        schema: { tags: ['rights'], params: idParam, response: { 200: view, ...errors } },
      },
      async (req) => {
        const f = await rights.find(req.params.id);
        return {
          recordings: f.recordings.map((r) => r.id),
          calls: f.calls.map((c) => c.id),
          documents: f.documents.map((d) => d.id),
          accessLogEntries: f.accessLog.map((e) => e.seq),
        };
      },
    );

    app.post<{ Params: { id: string }; Body: { reason: string; noticeSentAt: string } }>(
      '/api/dsr/:id/extend',
      {
        config: { access: 'dsr' },
        schema: {
          tags: ['rights'],
          params: idParam,
          body: {
            type: 'object',
            properties: { reason: { type: 'string', maxLength: 2000 }, noticeSentAt: stamp },
            required: ['reason', 'noticeSentAt'],
            additionalProperties: false,
          },
          response: { 200: view, ...errors },
        },
      },
      (req) =>
        rights.extend(req.params.id, {
          reason: req.body.reason,
          noticeSentAt: Date.parse(req.body.noticeSentAt),
        }),
    );

    app.post<{ Params: { id: string }; Body: { outcome?: string; refusal?: string } }>(
      '/api/dsr/:id/close',
      {
        config: { access: 'dsr' },
        schema: {
          tags: ['rights'],
          params: idParam,
          body: {
            type: 'object',
            properties: {
              outcome: { type: 'string', maxLength: 4000 },
              refusal: { type: 'string', maxLength: 4000 },
            },
            additionalProperties: false,
          },
          response: { 200: view, ...errors },
        },
      },
      (req) =>
        req.body.refusal !== undefined
          ? rights.refuse(req.params.id, req.body.refusal)
          : rights.close(req.params.id, req.body.outcome ?? 'answered'),
    );

    app.post<{ Params: { id: string }; Body: { compellingGround?: string; addToOppositionList?: boolean } }>(
      '/api/dsr/:id/erase',
      {
        config: { access: 'delete' },
        schema: {
          tags: ['rights'],
          params: idParam,
          body: {
            type: 'object',
            properties: {
              compellingGround: { type: 'string', maxLength: 4000 },
              addToOppositionList: { type: 'boolean' },
            },
            additionalProperties: false,
          },
          response: { 200: view, ...errors },
        },
      },
      (req) => rights.erase(req.params.id, req.body),
    );

    app.post<{ Params: { id: string }; Body: Rectification }>(
      '/api/dsr/:id/rectify',
      {
        config: { access: 'dsr' },
        schema: {
          tags: ['rights'],
          params: idParam,
          body: { type: 'object' },
          response: { 200: view, ...errors },
        },
      },
      async (req) => {
        await rights.rectify(req.params.id, req.body);
        return { ok: true };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/dsr/:id/export',
      {
        config: { access: { action: 'export', inHandler: true } },
        schema: {
          tags: ['rights'],
          params: idParam,
          response: { 200: { type: 'string', format: 'binary' }, ...errors },
        },
      },
      async (req, reply) => {
        const id = req.params.id;
        await requireAccess(req, {
          action: 'export',
          object: { type: 'dsr', id, purposes: ['legal_obligation'] },
          purpose: 'legal_obligation',
        });
        await mkdir(deps.exportDir, { recursive: true, mode: 0o700 });
        const out = join(deps.exportDir, `dsr-${id.replace(/[^A-Za-z0-9-]/g, '')}.zip`);
        const res = await rights.export(id, out);
        const stream = createReadStream(out);
        stream.on('close', () => void unlink(out).catch(() => undefined));
        return reply
          .type('application/zip')
          .header('content-disposition', `attachment; filename="dsr-${id}.zip"`)
          .header('x-ecoute-sha256', res.sha256)
          .send(stream);
      },
    );
  };
