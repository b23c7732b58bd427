/**
 * Call control for CTI and agent desktops: an API token with the `calls:control` scope, or the agent's own
 * session (the matrix scopes an agent to their own calls). Each press writes the access log (R-SEC-2)
 * through requireAccess before it acts. A call that is not being recorded answers 404 and leaves no trace
 * (R-MIN-4: an unrecorded call keeps no personal data, not even in the log).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fail } from '../../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess } from '../access/require-access.ts';
import type { Action } from '../access/roles.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import type { ActiveCall } from '../../capture/active-call.ts';
import { CallsErrors } from './errors.ts';
import { callObject, viewOf } from './live.ts';
import { activeCall } from './calls.routes.ts';

const result = {
  type: 'object',
  properties: {
    callId: { type: 'string' },
    recordingId: { type: 'string' },
    state: {
      type: 'string',
      description: 'recording, paused, objected, card_data_destroyed, personal_destroyed',
    },
    incidentFlagged: { type: 'boolean' },
  },
  required: ['callId', 'recordingId', 'state'],
} as const;

type Req = FastifyRequest<{ Params: { id: string } }>;

interface Control {
  readonly path: string;
  readonly action: Action;
  readonly description: string;
  readonly run: (call: ActiveCall, req: Req) => Promise<void> | void;
}

const byAgent = (req: Req): boolean => req.principal?.kind === 'user';

const CONTROLS: readonly Control[] = [
  {
    path: 'pause',
    action: 'pause',
    description:
      'R-PCI-1: pauses the recording; no audio reaches storage or listeners until resume, listeners are disconnected.',
    run: (call, req) => call.pause(byAgent(req) ? 'agent' : 'api'),
  },
  {
    path: 'resume',
    action: 'resume',
    description: 'R-PCI-1: resumes a paused recording.',
    run: (call) => call.resume(),
  },
  {
    path: 'objection',
    action: 'objection',
    description:
      'R-CAL-2: the caller objected orally; recording stops, the audio captured is destroyed, listeners are disconnected.',
    run: (call, req) => call.objection(byAgent(req) ? 'agent' : 'api'),
  },
  {
    path: 'card-data',
    action: 'card_data',
    description:
      'R-PCI-3: card data was captured anyway; the call\u2019s audio is destroyed at once and the event logged.',
    run: (call) => call.cardData(),
  },
  {
    path: 'personal',
    action: 'personal_call',
    description: 'R-EMP-4: a personal call; recording and listening stop and the audio is destroyed.',
    run: (call) => call.personal(),
  },
];

export const controlRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const schema = (description: string) =>
      ({
        tags: ['calls'],
        description,
        params: idParam,
        response: { 200: result, 409: problemRef, 503: problemRef, ...errors },
      }) as const;

    for (const c of CONTROLS) {
      app.post<{ Params: { id: string } }>(
        `/api/calls/:id/${c.path}`,
        { config: { access: { action: c.action, inHandler: true } }, schema: schema(c.description) },
        async (req) => {
          const call = activeCall(deps.recorder, req.params.id);
          await requireAccess(req, {
            action: c.action,
            object: callObject(viewOf(call.info, call.state === 'paused' ? 'paused' : 'recording')),
            detail: { recordingId: call.info.recordingId },
          });
          await c.run(call, req);
          return { callId: call.callId, recordingId: call.info.recordingId, state: call.state };
        },
      );
    }

    app.post<{ Params: { id: string } }>(
      '/api/calls/:id/incident',
      {
        config: { access: { action: 'incident', inHandler: true } },
        schema: schema(
          'R-PUR-6: the agent handling the call flags an incivility; only their own session may (no supervisor, token or automatic trigger). On a call already recorded it records the incident flag (access-log entry, action incident). A call not yet recorded answers 409 ECOUTE_CALLS_INCIDENT_NEEDS_FORK: the telephony must fork the call with the agent_incident_button trigger (docs/api.md).',
        ),
      },
      async (req) => {
        const call = deps.recorder?.active.get(req.params.id);
        if (!call || (call.state !== 'recording' && call.state !== 'paused'))
          throw fail(CallsErrors.INCIDENT_NEEDS_FORK);
        await requireAccess(req, {
          action: 'incident',
          object: callObject(viewOf(call.info, call.state === 'paused' ? 'paused' : 'recording')),
          detail: {
            recordingId: call.info.recordingId,
            policyId: call.info.decision.policyId ?? null,
            flag: 'agent_incident',
            atMs: call.capturedMs,
          },
        });
        return {
          callId: call.callId,
          recordingId: call.info.recordingId,
          state: call.state,
          incidentFlagged: true,
        };
      },
    );
  };
