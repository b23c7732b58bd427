import type { FastifyPluginAsync } from 'fastify';
import type { AccessLog } from '../../audit/access-log.ts';
import { errors } from '../schemas.ts';

export const entrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'integer' },
    actor: { type: 'string' },
    role: { type: 'string' },
    action: { type: 'string' },
    objectType: { type: 'string' },
    objectId: { type: ['string', 'null'] },
    purpose: { type: ['string', 'null'] },
    result: { type: 'string' },
    sourceAddress: { type: ['string', 'null'] },
    detail: { type: 'string' },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
  required: ['seq', 'at', 'actor', 'role', 'action', 'result'],
} as const;

interface AuditQuery {
  from?: number;
  to?: number;
  action?: string;
  actor?: string;
  objectId?: string;
  afterSeq?: number;
  limit?: number;
}

/**
 * The access log for the DPO and auditors (R-SEC-2): entries in order, filtered exactly, never
 * aggregated per agent (R-SEC-3: the log is not a measure of agents' work).
 */
export const auditRoutes =
  (accessLog: AccessLog): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get<{ Querystring: AuditQuery }>(
      '/api/audit',
      {
        config: { access: 'audit_read' },
        schema: {
          tags: ['audit'],
          querystring: {
            type: 'object',
            properties: {
              from: { type: 'integer' },
              to: { type: 'integer' },
              action: { type: 'string' },
              actor: { type: 'string' },
              objectId: { type: 'string' },
              afterSeq: { type: 'integer', minimum: 0 },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
            additionalProperties: false,
          },
          response: {
            200: {
              type: 'object',
              properties: { entries: { type: 'array', items: entrySchema } },
              required: ['entries'],
            },
            ...errors,
          },
        },
      },
      async (req) => ({ entries: await accessLog.list({ ...req.query, limit: req.query.limit ?? 100 }) }),
    );

    app.get(
      '/api/audit/verify',
      {
        config: { access: 'audit_verify' },
        schema: {
          tags: ['audit'],
          response: {
            200: {
              type: 'object',
              properties: {
                ok: { type: 'boolean' },
                count: { type: 'integer' },
                firstSeq: { type: 'integer' },
                lastSeq: { type: 'integer' },
                seq: { type: 'integer' },
                reason: { type: 'string' },
              },
              required: ['ok'],
            },
            ...errors,
          },
        },
      },
      () => accessLog.verify(),
    );
  };
