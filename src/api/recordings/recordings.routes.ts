import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../errors.ts';
import { ApiErrors } from '../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess } from '../access/require-access.ts';
import { PURPOSES } from '../access/roles.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import { parseRange, wavHeader, wavSlice } from './audio.ts';
import { downloadRolesOf, recordingById, searchRecordings, type SearchQuery } from './recordings.query.ts';

export const recordingSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    callId: { type: 'string' },
    state: { type: 'string' },
    policyId: { type: 'string' },
    purposes: { type: 'array', items: { type: 'string' } },
    startedAt: { type: 'integer' },
    endedAt: { type: ['integer', 'null'] },
    durationMs: { type: ['integer', 'null'] },
    agentId: { type: ['string', 'null'] },
    team: { type: ['string', 'null'] },
    queue: { type: ['string', 'null'] },
    direction: { type: 'string' },
    expiresAt: { type: ['integer', 'null'] },
    segments: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          startMs: { type: 'number' },
          endMs: { type: 'number' },
          channel: { type: 'integer' },
        },
        required: ['kind', 'startMs', 'endMs'],
      },
    },
  },
  required: ['id', 'state', 'purposes', 'startedAt', 'direction'],
} as const;

const searchQuery = {
  type: 'object',
  properties: {
    from: { type: 'integer' },
    to: { type: 'integer' },
    agentId: { type: 'string' },
    team: { type: 'string' },
    queue: { type: 'string' },
    direction: { type: 'string', enum: ['inbound', 'outbound', 'internal'] },
    policyId: { type: 'string' },
    purpose: { type: 'string', enum: [...PURPOSES] },
    minDurationMs: { type: 'integer', minimum: 0 },
    maxDurationMs: { type: 'integer', minimum: 0 },
    state: { type: 'string' },
    customerNumber: {
      type: 'string',
      minLength: 3,
      maxLength: 40,
      description: 'Exact match through the keyed hash only; the number is never logged nor echoed.',
    },
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
  additionalProperties: false,
} as const;

const purposeQuery = {
  type: 'object',
  properties: { purpose: { type: 'string', enum: [...PURPOSES] } },
  required: ['purpose'],
  additionalProperties: false,
} as const;
const audioResponse = {
  200: { type: 'string', format: 'binary', description: 'audio/wav (µ-law stereo)' },
  206: { type: 'string', format: 'binary' },
  416: problemRef,
  ...errors,
} as const;

export const recordingsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get<{ Querystring: SearchQuery }>(
      '/api/recordings',
      {
        config: { access: { action: 'search', inHandler: true } },
        schema: {
          tags: ['recordings'],
          querystring: searchQuery,
          response: {
            200: {
              type: 'object',
              properties: {
                items: { type: 'array', items: recordingSchema },
                offset: { type: 'integer' },
                limit: { type: 'integer' },
              },
              required: ['items'],
            },
            ...errors,
          },
        },
      },
      async (req) => {
        const p = await requireAccess(req, {
          action: 'search',
          object: { type: 'recording_search' },
          purpose: req.query.purpose,
          detail: { filters: Object.keys(req.query).sort() },
        });
        const { customerNumber, ...filters } = req.query;
        let customerHash: string | undefined;
        if (customerNumber !== undefined) {
          if (!deps.numbers)
            throw fail(ApiErrors.BAD_REQUEST, 'customer-number search is not available here');
          // Not a number at all: no recording can match; the empty hash matches nothing.
          customerHash = deps.numbers.hash(customerNumber) ?? '';
        }
        const items = await searchRecordings(deps.db, p, { ...filters, customerHash });
        return { items, offset: req.query.offset ?? 0, limit: req.query.limit ?? 50 };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/api/recordings/:id',
      {
        config: { access: { action: 'read_metadata', inHandler: true } },
        schema: { tags: ['recordings'], params: idParam, response: { 200: recordingSchema, ...errors } },
      },
      async (req) => {
        const r = await recordingById(deps.db, req.params.id);
        if (!r) throw fail(ApiErrors.NOT_FOUND);
        await requireAccess(req, {
          action: 'read_metadata',
          object: { type: 'recording', id: r.id, team: r.team, agentId: r.agentId },
        });
        return r;
      },
    );

    const serve =
      (action: 'play' | 'download') =>
      async (
        req: FastifyRequest<{ Params: { id: string }; Querystring: { purpose: string } }>,
        reply: FastifyReply,
      ) => {
        const r = await recordingById(deps.db, req.params.id);
        if (!r) throw fail(ApiErrors.NOT_FOUND);
        const row = await deps.db
          .selectFrom('recordings')
          .select('policyVersion')
          .where('id', '=', r.id)
          .executeTakeFirstOrThrow();
        const downloadRoles =
          action === 'download' ? await downloadRolesOf(deps.db, r.policyId, Number(row.policyVersion)) : [];
        const range = req.headers.range;
        await requireAccess(req, {
          action,
          purpose: req.query.purpose,
          object: {
            type: 'recording',
            id: r.id,
            purposes: r.purposes,
            team: r.team,
            agentId: r.agentId,
            downloadRoles,
          },
          detail: range ? { range } : {},
        });
        if (!deps.audio || r.state !== 'sealed')
          throw fail(ApiErrors.NOT_FOUND, 'no audio for this recording');
        const reader = await deps.audio.open(r.id);
        // One reader per request, closed when the slice is read: it holds the data key (R-RET-4).
        try {
          const header = wavHeader(r.id, reader.size);
          const total = header.length + reader.size;
          const parsed = parseRange(range, total);
          if (parsed === 'unsatisfiable') throw fail(ApiErrors.RANGE_NOT_SATISFIABLE, undefined, { total });
          const { start, end } = parsed ?? { start: 0, end: total - 1 };
          void reply.header('accept-ranges', 'bytes').header('cache-control', 'no-store').type('audio/wav');
          if (action === 'download')
            void reply.header('content-disposition', `attachment; filename="recording-${r.id}.wav"`);
          if (parsed) void reply.code(206).header('content-range', `bytes ${start}-${end}/${total}`);
          return reply.send(await wavSlice(header, reader, start, end));
        } finally {
          reader.close?.();
        }
      };

    app.get(
      '/api/recordings/:id/audio',
      {
        config: { access: { action: 'play', inHandler: true } },
        schema: {
          tags: ['recordings'],
          description:
            'Streams the audio as WAV with HTTP range support; the purpose must be one of the recording\u2019s (R-MIN-2).',
          params: idParam,
          querystring: purposeQuery,
          response: audioResponse,
        },
      },
      serve('play'),
    );
    app.get(
      '/api/recordings/:id/download',
      {
        config: { access: { action: 'download', inHandler: true } },
        schema: {
          tags: ['recordings'],
          description:
            'Downloads the WAV (recording id in LIST/INFO); off unless the policy enables the role (R-SEC-5).',
          params: idParam,
          querystring: purposeQuery,
          response: audioResponse,
        },
      },
      serve('download'),
    );
  };
