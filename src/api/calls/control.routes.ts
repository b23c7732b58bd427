/**
 * Call control for CTI and agent desktops: an API token with the `calls:control` scope, or the agent's own
 * session (the matrix scopes an agent to their own calls). Each press writes the access log (R-SEC-2)
 * through requireAccess before it acts. A call that is not being recorded answers 404 and leaves no trace
 * (R-MIN-4: an unrecorded call keeps no personal data, not even in the log).
 *
 * Every node serves these routes (issue 10): a call held by another node of the cluster is checked and
 * logged here exactly as a local one, from the facts the cluster announces (its agent id for R-MIN-3, its
 * team, its purposes), then forwarded to its node over NATS, which applies it through the same ActiveCall
 * method (capture/call-control.ts) and answers with the resulting state. No answer is a 503
 * ECOUTE_CLUSTER_OWNER_UNREACHABLE, never a silent success.
 */
import type { FastifyPluginAsync } from 'fastify';
import { fail, isEcouteError, type ErrorSpec } from '../../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiErrors } from '../errors.ts';
import { requireAccess } from '../access/require-access.ts';
import type { AccessObject, Principal } from '../access/decide.ts';
import { applyControl, controllable, type CallControlAction } from '../../capture/call-control.ts';
import type { ClusterCall } from '../../cluster/cluster.calls.ts';
import type { ControlResult } from '../../cluster/cluster.control.ts';
import { ClusterErrors } from '../../cluster/errors.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import { CallsErrors } from './errors.ts';
import { callObject, viewOf } from './live.ts';

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

interface Control {
  readonly path: string;
  readonly action: CallControlAction;
  readonly description: string;
}

const CONTROLS: readonly Control[] = [
  {
    path: 'pause',
    action: 'pause',
    description:
      'R-PCI-1: pauses the recording; no audio reaches storage or listeners until resume, listeners are disconnected.',
  },
  {
    path: 'resume',
    action: 'resume',
    description: 'R-PCI-1: resumes a paused recording.',
  },
  {
    path: 'objection',
    action: 'objection',
    description:
      'R-CAL-2: the caller objected orally; recording stops, the audio captured is destroyed, listeners are disconnected.',
  },
  {
    path: 'card-data',
    action: 'card_data',
    description:
      'R-PCI-3: card data was captured anyway; the call\u2019s audio is destroyed at once and the event logged.',
  },
  {
    path: 'personal',
    action: 'personal_call',
    description: 'R-EMP-4: a personal call; recording and listening stop and the audio is destroyed.',
  },
];

const ANY_NODE =
  ' Served by every node: a call held by another node of the cluster is checked and logged here, then applied by its node over NATS; 503 ECOUTE_CLUSTER_OWNER_UNREACHABLE when that node does not answer.';

/** A call in progress on another node of the cluster, or `missing` (404/409) / UNAVAILABLE. */
function remoteCall(deps: ApiDeps, id: string, missing: ErrorSpec): ClusterCall {
  const call = deps.cluster?.get(id);
  if (call && !call.local) return call;
  if (!deps.recorder && !deps.cluster) throw fail(CallsErrors.UNAVAILABLE);
  throw fail(missing);
}

/** Forwards to the call's node; a call that node no longer has is `missing`, as for a local one. */
async function forward(
  deps: ApiDeps,
  call: ClusterCall,
  action: CallControlAction | 'incident',
  by: Principal,
  missing: ErrorSpec,
): Promise<ControlResult> {
  if (!deps.cluster) throw fail(missing);
  try {
    return await deps.cluster.control(call, { action, by: { kind: by.kind, id: by.id } });
  } catch (e) {
    if (isEcouteError(e, ClusterErrors.CALL_NOT_LIVE)) throw fail(missing);
    throw e;
  }
}

export const controlRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const schema = (description: string) =>
      ({
        tags: ['calls'],
        description,
        params: idParam,
        response: { 200: result, 409: problemRef, 502: problemRef, 503: problemRef, ...errors },
      }) as const;

    for (const c of CONTROLS) {
      app.post<{ Params: { id: string } }>(
        `/api/calls/:id/${c.path}`,
        {
          config: { access: { action: c.action, inHandler: true } },
          schema: schema(c.description + ANY_NODE),
        },
        async (req) => {
          const call = controllable(deps.recorder?.active.get(req.params.id));
          if (call) {
            const p = await requireAccess(req, {
              action: c.action,
              object: callObject(viewOf(call.info, call.state === 'paused' ? 'paused' : 'recording')),
              detail: { recordingId: call.info.recordingId },
            });
            await applyControl(call, c.action, p.kind);
            return { callId: call.callId, recordingId: call.info.recordingId, state: call.state };
          }
          // Held by another node: the same check and log entry here (R-MIN-3 on the announced agent id,
          // R-SEC-2), before anything reaches the owner; then the owner applies it.
          const remote = remoteCall(deps, req.params.id, CallsErrors.NOT_IN_PROGRESS);
          const p = await requireAccess(req, {
            action: c.action,
            object: callObject(remote),
            detail: { recordingId: remote.recordingId },
          });
          const r = await forward(deps, remote, c.action, p, CallsErrors.NOT_IN_PROGRESS);
          return { callId: r.callId, recordingId: r.recordingId, state: r.state };
        },
      );
    }

    app.post<{ Params: { id: string } }>(
      '/api/calls/:id/incident',
      {
        config: { access: { action: 'incident', inHandler: true } },
        schema: schema(
          'R-PUR-6: the agent handling the call flags an incivility; only their own session may (no supervisor, token or automatic trigger). On a call already recorded it records the incident flag (access-log entry, action incident). A call not yet recorded answers 409 ECOUTE_CALLS_INCIDENT_NEEDS_FORK: the telephony must fork the call with the agent_incident_button trigger (docs/api.md).' +
            ANY_NODE,
        ),
      },
      async (req) => {
        let at: { callId: string; recordingId: string; state: string; capturedMs: number };
        let object: AccessObject;
        let policyId: string | null;
        const call = controllable(deps.recorder?.active.get(req.params.id));
        if (call) {
          at = {
            callId: call.callId,
            recordingId: call.info.recordingId,
            state: call.state,
            capturedMs: call.capturedMs,
          };
          object = callObject(viewOf(call.info, call.state === 'paused' ? 'paused' : 'recording'));
          policyId = call.info.decision.policyId ?? null;
        } else {
          const remote = remoteCall(deps, req.params.id, CallsErrors.INCIDENT_NEEDS_FORK);
          // The flag's offset is the owner's captured audio: read it there first, as a local press reads
          // the call before the check. The owner only answers; nothing is applied for `incident`.
          if (!req.principal) throw fail(ApiErrors.UNAUTHENTICATED);
          at = await forward(deps, remote, 'incident', req.principal, CallsErrors.INCIDENT_NEEDS_FORK);
          object = callObject(remote);
          policyId = remote.policyId;
        }
        await requireAccess(req, {
          action: 'incident',
          object,
          detail: {
            recordingId: at.recordingId,
            policyId,
            flag: 'agent_incident',
            atMs: at.capturedMs,
          },
        });
        return {
          callId: at.callId,
          recordingId: at.recordingId,
          state: at.state,
          incidentFlagged: true,
        };
      },
    );
  };
