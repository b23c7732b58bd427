/**
 * HTTP helpers shared by the evaluation and analytics plugins: the acting user, the repositories over
 * the API's Kysely, and the mapping of the evaluation and analytics catalogues to HTTP statuses (only
 * src/api maps codes to statuses). A personal-data refusal (R-MIN-1) answers 422 with the findings:
 * kinds and offsets, never the values.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { analysisRepo } from '../../db/analysis.repo.ts';
import { recordingsRepo } from '../../db/recordings.repo.ts';
import { settingsRepo } from '../../db/settings.repo.ts';
import { fail, isEcouteError } from '../../errors.ts';
import type { Actor } from '../../evaluation/evaluation.access.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiErrors } from '../errors.ts';
import { problemSchema, toProblem } from '../problem.ts';

const STATUS: Readonly<Record<string, number>> = {
  ECOUTE_EVALUATION_GRID_INVALID: 400,
  ECOUTE_EVALUATION_GRID_NOT_FOUND: 404,
  ECOUTE_EVALUATION_ANSWERS_INVALID: 400,
  ECOUTE_EVALUATION_PERSONAL_DATA: 422,
  ECOUTE_EVALUATION_RETENTION_TOO_LONG: 400,
  ECOUTE_EVALUATION_PURPOSE: 403,
  ECOUTE_EVALUATION_FORBIDDEN: 403,
  ECOUTE_EVALUATION_NOT_FOUND: 404,
  ECOUTE_EVALUATION_NOT_EVALUABLE: 409,
  ECOUTE_EVALUATION_SAMPLE_INVALID: 400,
  ECOUTE_ANALYTICS_BAD_PERIOD: 400,
  ECOUTE_ANALYTICS_NOT_ANALYSABLE: 409,
};

/** Problem details of this area, with `findings` for a personal-data refusal. */
export function installEvaluationErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
    const status = isEcouteError(err) ? STATUS[err.code] : undefined;
    // Anything else goes to the app's handler (Fastify passes a rethrown error to the parent).
    if (!isEcouteError(err) || status === undefined) throw err;
    const findings = err.context.findings;
    return reply
      .status(status)
      .type('application/problem+json')
      .send({
        ...toProblem(err),
        status,
        detail: err.message,
        ...(Array.isArray(findings) ? { findings } : {}),
      });
  });
}

export function actorOf(req: FastifyRequest): Actor {
  const p = req.principal;
  if (p?.kind !== 'user') throw fail(ApiErrors.NOT_FOUND, 'people only');
  return { id: p.id, roles: p.roles, teams: p.teams, agentId: p.agentId };
}

export function reposOf(deps: ApiDeps) {
  const ctx = { k: deps.db, dialect: deps.dialect, clock: deps.clock };
  return { analysis: analysisRepo(ctx), recordings: recordingsRepo(ctx), settings: settingsRepo(ctx) };
}

/** R-MIN-1: the 422 answer of a personal-data refusal (problem details plus kinds and offsets). */
export const personalDataProblem = {
  type: 'object',
  properties: {
    ...problemSchema.properties,
    findings: {
      type: 'array',
      items: {
        type: 'object',
        properties: { kind: { type: 'string' }, start: { type: 'integer' }, end: { type: 'integer' } },
        required: ['kind', 'start', 'end'],
      },
    },
  },
  required: ['type', 'title', 'status', 'code'],
} as const;

/** Loose object schema for documents whose shape lives in src/evaluation and src/analytics. */
export const anyObject = { type: 'object', additionalProperties: true } as const;
