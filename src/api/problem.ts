import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isEcouteError, type EcouteError } from '../errors.ts';

/**
 * The one error handler (STYLE.md §6: only src/api maps codes to statuses): catalogue errors become RFC
 * 9457 problem details carrying `code` and `rule`; anything else is a 500 that reveals nothing.
 */
const STATUS: Readonly<Record<string, number>> = {
  ECOUTE_API_UNAUTHENTICATED: 401,
  ECOUTE_API_BAD_CREDENTIALS: 401,
  ECOUTE_API_THROTTLED: 429,
  ECOUTE_API_CSRF: 403,
  ECOUTE_API_TOTP_REQUIRED: 403,
  ECOUTE_API_OIDC_NO_ROLE: 403,
  ECOUTE_API_OIDC_FAILED: 401,
  ECOUTE_API_TOTP_INVALID: 401,
  ECOUTE_API_NOT_FOUND: 404,
  ECOUTE_API_NO_ROUTE: 404,
  ECOUTE_API_LAST_ADMIN: 409,
  ECOUTE_API_CONFLICT: 409,
  ECOUTE_API_BAD_REQUEST: 400,
  ECOUTE_API_RANGE_NOT_SATISFIABLE: 416,
  ECOUTE_API_ROUTE_UNGUARDED: 500,
  ECOUTE_API_NOT_READY: 503,
  ECOUTE_API_OIDC_UNAVAILABLE: 503,
  ECOUTE_ACCESS_DENIED: 403,
  ECOUTE_ACCESS_PURPOSE: 403,
  ECOUTE_ACCESS_NO_SECOND_FACTOR: 403,
  ECOUTE_ACCESS_DOWNLOAD_DISABLED: 403,
  ECOUTE_ACCESS_LIVE_NOT_ALLOWED: 403,
  ECOUTE_ACCESS_INCIDENT_AGENT_ONLY: 403,
  ECOUTE_CALLS_NOT_IN_PROGRESS: 404,
  ECOUTE_CALLS_UNAVAILABLE: 503,
  ECOUTE_CALLS_INCIDENT_NEEDS_FORK: 409,
  ECOUTE_CALLS_UPGRADE_REQUIRED: 426,
  ECOUTE_CLUSTER_CALL_NOT_LIVE: 404,
  ECOUTE_CLUSTER_OWNER_UNREACHABLE: 503,
  ECOUTE_CLUSTER_CONTROL_FORGED: 502,
  ECOUTE_CLUSTER_CONTROL_FAILED: 502,
  ECOUTE_DOCUMENTS_DPIA_REQUIRED: 422,
  ECOUTE_POLICIES_NO_SOURCE: 503,
  ECOUTE_POLICIES_VERSION: 409,
  ECOUTE_POLICIES_UNKNOWN: 404,
  ECOUTE_WEBHOOK_BAD_ENDPOINT: 422,
  ECOUTE_WEBHOOK_UNKNOWN_ENDPOINT: 404,
  ECOUTE_DB_NOT_FOUND: 404,
  ECOUTE_DB_CONFLICT: 409,
  ECOUTE_JOBS_WRITE_ONCE: 409,
  ECOUTE_JOBS_HELD: 409,
  ECOUTE_JOBS_HOLD_INCOMPLETE: 422,
  ECOUTE_JOBS_HOLD_NOT_FOUND: 404,
  ECOUTE_RIGHTS_CLOSED: 409,
  ECOUTE_RIGHTS_NO_IDENTIFIER: 422,
  ECOUTE_RIGHTS_EXTENSION_REFUSED: 422,
  ECOUTE_RIGHTS_REFUSAL_INCOMPLETE: 422,
  ECOUTE_RIGHTS_RECTIFICATION_INVALID: 422,
  ECOUTE_RIGHTS_WRONG_KIND: 422,
  ECOUTE_RIGHTS_NOT_FOUND: 404,
  ECOUTE_RIGHTS_ACK_TOKEN_INVALID: 403,
  ECOUTE_DOCUMENTS_NOTICE_INCOMPLETE: 409,
  ECOUTE_DOCUMENTS_UNKNOWN: 404,
};

export function statusOf(code: string): number {
  return STATUS[code] ?? (code.startsWith('ECOUTE_POLICY_') ? 422 : 500);
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly rule?: string;
}

export function toProblem(e: EcouteError): Problem {
  const status = statusOf(e.code);
  return {
    type: `urn:ecoute:error:${e.code}`,
    title: e.code,
    status,
    detail: status >= 500 ? 'internal error' : e.message,
    code: e.code,
    ...(e.rule ? { rule: e.rule } : {}),
  };
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details with the Ecoute error code and rule id.',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    rule: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'code'],
} as const;

function send(reply: FastifyReply, p: Problem, extra?: Record<string, string>): void {
  void reply
    .status(p.status)
    .type('application/problem+json')
    .headers(extra ?? {})
    .send(p);
}

export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | EcouteError, req: FastifyRequest, reply: FastifyReply) => {
    if (isEcouteError(err)) {
      const p = toProblem(err);
      const retry = err.context.retryAfterS;
      if (p.status >= 500) req.log.error({ err }, 'request failed');
      send(reply, p, typeof retry === 'number' ? { 'retry-after': String(retry) } : undefined);
      return;
    }
    const fe = err;
    if (fe.validation || (fe.statusCode !== undefined && fe.statusCode < 500)) {
      const status = fe.validation ? 400 : (fe.statusCode ?? 400);
      send(reply, {
        type: 'urn:ecoute:error:ECOUTE_API_BAD_REQUEST',
        title: 'ECOUTE_API_BAD_REQUEST',
        status,
        detail: fe.validation ? 'request does not match the schema' : 'bad request',
        code: 'ECOUTE_API_BAD_REQUEST',
      });
      return;
    }
    req.log.error({ err }, 'request failed');
    send(reply, {
      type: 'about:blank',
      title: 'internal error',
      status: 500,
      detail: 'internal error',
      code: 'ECOUTE_API_INTERNAL',
    });
  });
  // A distinct code for an unknown route, so a client tells "this server lacks the route" (an older
  // node, a typo) from "this resource does not exist"; the detail stays the one older consoles test.
  app.setNotFoundHandler((_req, reply) =>
    send(reply, {
      type: 'urn:ecoute:error:ECOUTE_API_NO_ROUTE',
      title: 'ECOUTE_API_NO_ROUTE',
      status: 404,
      detail: 'no such route',
      code: 'ECOUTE_API_NO_ROUTE',
    }),
  );
}
