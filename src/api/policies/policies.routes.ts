/**
 * The DPO's policy routes: read the file in force with its validation, check a draft, activate a file
 * (R-EMP-1 staff consultation, every engine rule, a new stored version), retire one policy. Every change
 * writes the access log (action policy_change, R-SEC-2), allowed or refused.
 */
import type { FastifyPluginAsync } from 'fastify';
import { fail } from '../../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess } from '../access/require-access.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import { policiesRepo } from '../../db/policies.repo.ts';
import type { PolicySource } from '../../capture/policy.source.ts';
import { PolicyApiErrors } from './errors.ts';
import { activateFile, check, parseText, retirePolicy, type PolicyText } from './policies.service.ts';

const textBody = {
  type: 'object',
  properties: {
    text: {
      type: 'string',
      minLength: 1,
      maxLength: 1_000_000,
      description: 'The policy file, YAML or JSON.',
    },
    format: { type: 'string', enum: ['yaml', 'json'] },
  },
  required: ['text'],
  additionalProperties: false,
} as const;

const violation = {
  type: 'object',
  properties: {
    rule: { type: 'string' },
    path: { type: 'string' },
    message: {
      type: 'object',
      properties: { fr: { type: 'string' }, en: { type: 'string' } },
      required: ['fr', 'en'],
    },
  },
  required: ['rule', 'path', 'message'],
} as const;

const checkResult = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    violations: { type: 'array', items: violation },
    lines: {
      type: 'object',
      properties: {
        fr: { type: 'array', items: { type: 'string' } },
        en: { type: 'array', items: { type: 'string' } },
      },
    },
  },
  required: ['ok', 'violations', 'lines'],
} as const;

const anyObject = { type: 'object', additionalProperties: true } as const;
const version = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    version: { type: 'integer' },
    state: { type: 'string' },
    createdAt: { type: 'integer' },
    createdBy: { type: 'string' },
    activatedAt: { type: ['integer', 'null'] },
    retiredAt: { type: ['integer', 'null'] },
  },
  required: ['id', 'version', 'state'],
} as const;

export const policiesRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const store = { db: deps.db, dialect: deps.dialect, clock: deps.clock };
    const source = (): PolicySource => {
      if (!deps.policies) throw fail(PolicyApiErrors.NO_SOURCE);
      return deps.policies;
    };

    app.get(
      '/api/policies',
      {
        config: { access: 'policy_read' },
        schema: {
          tags: ['policies'],
          description:
            'The policy file in force with its validation (rule ids, messages fr/en) and the stored versions.',
          response: {
            200: {
              type: 'object',
              properties: {
                inForce: { anyOf: [anyObject, { type: 'null' }] },
                check: { anyOf: [checkResult, { type: 'null' }] },
                versions: { type: 'array', items: version },
              },
              required: ['inForce', 'check', 'versions'],
            },
            ...errors,
          },
        },
      },
      async () => {
        const file = deps.policies?.current()?.file;
        const versions = await policiesRepo({
          k: deps.db,
          dialect: deps.dialect,
          clock: deps.clock,
        }).latest();
        return {
          inForce: file ?? null,
          check: file ? check(file) : null,
          versions: versions.map((v) => ({
            id: v.id,
            version: v.version,
            state: v.state,
            createdAt: v.createdAt,
            createdBy: v.createdBy,
            activatedAt: v.activatedAt ?? null,
            retiredAt: v.retiredAt ?? null,
          })),
        };
      },
    );

    app.post<{ Body: PolicyText }>(
      '/api/policies/check',
      {
        config: { access: 'policy_read' },
        schema: {
          tags: ['policies'],
          description:
            'Validates a draft (YAML or JSON text) against the rulebook, as `ecoute policy check` does.',
          body: textBody,
          response: { 200: checkResult, 422: problemRef, ...errors },
        },
      },
      (req) => check(parseText(req.body)),
    );

    app.post<{ Body: PolicyText }>(
      '/api/policies/activate',
      {
        config: { access: { action: 'policy_change', inHandler: true } },
        schema: {
          tags: ['policies'],
          description:
            'Validates and puts a policy file in force: refused whole on any violation (422, rule ids in the problem), R-EMP-1 staff consultation required and recorded; each changed policy must carry the next version number (409).',
          body: textBody,
          response: {
            200: {
              type: 'object',
              properties: {
                activated: { type: 'array', items: { type: 'string' } },
                retired: { type: 'array', items: { type: 'string' } },
                check: checkResult,
              },
              required: ['activated', 'retired', 'check'],
            },
            409: problemRef,
            422: problemRef,
            503: problemRef,
            ...errors,
          },
        },
      },
      async (req) => {
        const raw = parseText(req.body);
        const result = check(raw);
        const p = await requireAccess(req, {
          action: 'policy_change',
          object: { type: 'policy_file' },
          detail: {
            event: 'activate',
            valid: result.ok,
            rules: [...new Set(result.violations.map((v) => v.rule))],
          },
        });
        const done = await activateFile(store, source(), raw, p.id);
        return { activated: done.activated, retired: done.retired, check: result };
      },
    );

    app.post<{ Params: { id: string } }>(
      '/api/policies/:id/retire',
      {
        config: { access: { action: 'policy_change', inHandler: true } },
        schema: {
          tags: ['policies'],
          description:
            'Retires one policy: calls are no longer recorded under it; existing recordings keep their retention.',
          params: idParam,
          response: {
            200: {
              type: 'object',
              properties: {
                retired: { type: 'string' },
                remaining: { type: 'array', items: { type: 'string' } },
              },
              required: ['retired', 'remaining'],
            },
            503: problemRef,
            ...errors,
          },
        },
      },
      async (req) => {
        await requireAccess(req, {
          action: 'policy_change',
          object: { type: 'policy', id: req.params.id },
          detail: { event: 'retire' },
        });
        const file = await retirePolicy(store, source(), req.params.id);
        return { retired: req.params.id, remaining: file?.policies.map((p) => p.id) ?? [] };
      },
    );
  };
