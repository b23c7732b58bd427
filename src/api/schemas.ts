import type {} from '@fastify/swagger';
/** Shared JSON schemas of the API (they also make the OpenAPI document). */
export const problemRef = { $ref: 'Problem#' } as const;
export const errors = { 400: problemRef, 401: problemRef, 403: problemRef, 404: problemRef } as const;
export const ok = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] } as const;
export const idParam = {
  type: 'object',
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
  required: ['id'],
} as const;
