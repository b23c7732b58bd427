/**
 * Teams and the staff consultation (R-EMP-1). Teams come from the agent directory; the consultation of the
 * staff representatives (date and reference of the CSE minutes, or the declaration that there is no CSE)
 * is recorded by the DPO, kept with its history, and logged as `policy_change`: without it no policy can
 * be activated. The employee notice's acknowledgements (R-EMP-2) are served as counts per version.
 */
import type { FastifyPluginAsync } from 'fastify';
import { agentsRepo } from '../../db/agents.repo.ts';
import { settingsRepo, type StaffConsultation } from '../../db/settings.repo.ts';
import { fail } from '../../errors.ts';
import { requireAccess } from '../access/require-access.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiErrors } from '../errors.ts';
import { errors } from '../schemas.ts';
import { noticeAcknowledgements } from './notices.query.ts';

const team = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    agents: { type: 'integer', description: 'Agents of the directory in this team.' },
  },
  required: ['id', 'name', 'agents'],
} as const;

const consultation = {
  type: ['object', 'null'],
  properties: {
    kind: { type: 'string', enum: ['cse_minutes', 'no_cse_declaration'] },
    heldOn: { type: 'string', description: 'YYYY-MM-DD of the CSE meeting or of the declaration.' },
    reference: { type: 'string', description: 'Reference of the minutes (cse_minutes).' },
    reason: { type: 'string', description: 'Why there is no CSE (no_cse_declaration).' },
    recordedAt: { type: 'integer' },
    recordedBy: { type: 'string' },
  },
  required: ['kind', 'heldOn', 'recordedAt', 'recordedBy'],
} as const;

const notices = {
  type: 'object',
  properties: {
    agents: { type: 'integer', description: 'Agents in the directory now.' },
    current: {
      type: ['integer', 'null'],
      description: 'The employee notice version in force (policy file); null without a policy in force.',
    },
    versions: {
      type: 'array',
      description: 'Newest first; the version in force is listed even before any acknowledgement.',
      items: {
        type: 'object',
        properties: {
          version: { type: 'integer' },
          acknowledged: {
            type: 'integer',
            description: 'Agents of the directory who acknowledged this version (each counted once).',
          },
          current: { type: 'boolean' },
        },
        required: ['version', 'acknowledged', 'current'],
      },
    },
  },
  required: ['agents', 'current', 'versions'],
} as const;

const DAY = '^\\d{4}-\\d{2}-\\d{2}$';

type ConsultationBody =
  { heldOn: string; reference: string } | { none: true; reason: string; heldOn?: string };

/** The declaration's reason is kept in the `reference` column: it is what the declaration refers to. */
function consultationView(c: StaffConsultation | undefined): Record<string, unknown> | null {
  if (!c) return null;
  const base = { kind: c.kind, heldOn: c.heldOn, recordedAt: c.recordedAt, recordedBy: c.recordedBy };
  if (c.reference === undefined) return base;
  return c.kind === 'cse_minutes' ? { ...base, reference: c.reference } : { ...base, reason: c.reference };
}

/** A consultation dated in the future has not happened yet; an impossible date is a typo. */
function checkDay(day: string, today: string): void {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day)
    throw fail(ApiErrors.BAD_REQUEST, 'heldOn is not a calendar date');
  if (day > today) throw fail(ApiErrors.BAD_REQUEST, 'heldOn lies in the future');
}

export const staffRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const ctx = { k: deps.db, dialect: deps.dialect, clock: deps.clock };
    const agents = agentsRepo(ctx);
    const settings = settingsRepo(ctx);

    app.get(
      '/api/teams',
      {
        config: { access: 'team_read' },
        schema: {
          tags: ['staff'],
          description:
            'Teams of the agent directory: all for admin and dpo, their own for team-scoped roles.',
          response: { 200: { type: 'array', items: team }, ...errors },
        },
      },
      async (req) => {
        const p = req.principal;
        const all = p?.kind === 'user' && p.roles.some((r) => r === 'admin' || r === 'dpo');
        const mine = new Set(p?.kind === 'user' ? p.teams : []);
        const counts = new Map<string, number>();
        for (const a of await agents.list())
          if (a.teamId) counts.set(a.teamId, (counts.get(a.teamId) ?? 0) + 1);
        return (await agents.teams())
          .filter((t) => all || mine.has(t.id))
          .map((t) => ({ id: t.id, name: t.name, agents: counts.get(t.id) ?? 0 }));
      },
    );

    app.get(
      '/api/staff/consultation',
      {
        config: { access: 'policy_read' },
        schema: {
          tags: ['staff'],
          description: 'R-EMP-1: the latest recorded consultation of the staff representatives, or null.',
          response: {
            200: { type: 'object', properties: { consultation }, required: ['consultation'] },
            ...errors,
          },
        },
      },
      async () => ({ consultation: consultationView(await settings.latestConsultation()) }),
    );

    app.get(
      '/api/staff/notices',
      {
        config: { access: 'policy_read' },
        schema: {
          tags: ['staff'],
          description:
            'R-EMP-2: for each employee notice version, how many agents of the directory acknowledged it, ' +
            'out of how many agents. Counts only: no agent is named.',
          response: { 200: notices, ...errors },
        },
      },
      async () => noticeAcknowledgements(deps.db, deps.policies?.current()?.file.notices.employee.version),
    );

    app.post<{ Body: ConsultationBody }>(
      '/api/staff/consultation',
      {
        config: { access: { action: 'policy_change', inHandler: true } },
        schema: {
          tags: ['staff'],
          description:
            'R-EMP-1: records the CSE consultation ({heldOn, reference} of the minutes) or the declaration ' +
            'that there is no CSE ({none: true, reason}). History is kept; the latest counts.',
          body: {
            oneOf: [
              {
                type: 'object',
                properties: {
                  heldOn: { type: 'string', pattern: DAY },
                  reference: { type: 'string', minLength: 1, maxLength: 200 },
                },
                required: ['heldOn', 'reference'],
                additionalProperties: false,
              },
              {
                type: 'object',
                properties: {
                  none: { const: true },
                  reason: { type: 'string', minLength: 3, maxLength: 500 },
                  heldOn: { type: 'string', pattern: DAY },
                },
                required: ['none', 'reason'],
                additionalProperties: false,
              },
            ],
          },
          response: {
            201: { type: 'object', properties: { consultation }, required: ['consultation'] },
            ...errors,
          },
        },
      },
      async (req, reply) => {
        const b = req.body;
        const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
        const kind = 'none' in b ? 'no_cse_declaration' : 'cse_minutes';
        const p = await requireAccess(req, {
          action: 'policy_change',
          object: { type: 'staff_consultation' },
          detail: { kind, rule: 'R-EMP-1' },
        });
        const heldOn = b.heldOn ?? today;
        checkDay(heldOn, today);
        const c = await settings.recordConsultation({
          kind,
          heldOn,
          reference: 'none' in b ? b.reason : b.reference,
          recordedBy: p.id,
        });
        return reply.code(201).send({ consultation: consultationView(c) });
      },
    );
  };
