/**
 * Live calls: the list a listener may open (R-EMP-6, R-MIN-3) and the live-listening WebSocket. Access is
 * checked and logged before the upgrade completes (a refusal is a plain HTTP problem); the end of every
 * session is logged too (R-SEC-2). Audio never waits for a slow socket: a listener that falls 2 s behind
 * is closed, the media path is never stalled.
 */
import type {} from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { fail } from '../../errors.ts';
import type { ApiDeps } from '../deps.ts';
import { requireAccess } from '../access/require-access.ts';
import type { Principal } from '../access/decide.ts';
import { PURPOSES } from '../access/roles.ts';
import { errors, idParam, problemRef } from '../schemas.ts';
import type { LiveListener } from '../../capture/live.hub.ts';
import { CallsErrors } from './errors.ts';
import {
  CLOSE,
  callObject,
  closeFor,
  listenHeader,
  listenablePurposes,
  pcmuToPcm16le,
  viewOf,
  type CallView,
} from './live.ts';

/** Bytes a listener may have unsent before it is closed (about 2 s of PCM16 stereo at 8 kHz). */
export const MAX_BUFFERED_BYTES = 64 * 1024;

const liveCall = {
  type: 'object',
  properties: {
    callId: { type: 'string' },
    recordingId: { type: 'string' },
    startedAt: { type: 'integer' },
    capturedMs: { type: 'integer' },
    state: { type: 'string' },
    agentId: { type: ['string', 'null'] },
    team: { type: ['string', 'null'] },
    queue: { type: ['string', 'null'] },
    direction: { type: 'string' },
    policyId: { type: ['string', 'null'] },
    purposes: {
      type: 'array',
      items: { type: 'string' },
      description: 'The purposes for which the caller may listen (a subset of the policy\u2019s).',
    },
    listeners: { type: 'integer' },
  },
  required: ['callId', 'recordingId', 'startedAt', 'state', 'direction', 'purposes'],
} as const;

interface Listening {
  readonly call: CallView;
  readonly principal: Principal;
  readonly purpose: string;
  readonly role: string;
}

/**
 * Calls in progress the API can see: every node's through the cluster when there is one (issue 10: the
 * media stays on the node that captures it, listeners elsewhere get it over NATS), else this node's.
 */
function liveCalls(deps: ApiDeps): CallView[] {
  if (deps.cluster) return deps.cluster.list().map((c) => ({ ...c }));
  if (!deps.recorder) throw fail(CallsErrors.UNAVAILABLE);
  return [...deps.recorder.active.values()].flatMap((c) =>
    c.state === 'recording' || c.state === 'paused' ? [viewOf(c.info, c.state)] : [],
  );
}

function findLiveCall(deps: ApiDeps, id: string): CallView {
  const call = liveCalls(deps).find((c) => c.callId === id);
  if (!call) throw fail(CallsErrors.NOT_IN_PROGRESS);
  return call;
}

export const callsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    app.get(
      '/api/calls/live',
      {
        config: { access: { action: 'live_list', inHandler: true } },
        schema: {
          tags: ['calls'],
          description:
            'Calls in progress the caller may listen to: recorded under a policy that allows live listening, for a purpose tied to the role, in the role\u2019s teams (R-EMP-6, R-MIN-3).',
          response: {
            200: {
              type: 'object',
              properties: { items: { type: 'array', items: liveCall } },
              required: ['items'],
            },
            503: problemRef,
            ...errors,
          },
        },
      },
      async (req) => {
        const p = await requireAccess(req, { action: 'live_list', object: { type: 'live_calls' } });
        const items = [];
        for (const call of liveCalls(deps)) {
          if (call.state !== 'recording') continue;
          const purposes = listenablePurposes(p, call);
          if (purposes.length === 0) continue;
          const local = deps.recorder?.active.get(call.callId);
          items.push({
            callId: call.callId,
            recordingId: call.recordingId,
            startedAt: call.startedAt,
            capturedMs: local?.capturedMs ?? deps.clock.now() - call.startedAt,
            state: call.state,
            agentId: call.agentId,
            team: call.team,
            queue: call.queue,
            direction: call.direction,
            policyId: call.policyId,
            purposes,
            listeners: deps.live?.listeners(call.callId) ?? 0,
          });
        }
        return { items };
      },
    );

    const listening = new WeakMap<FastifyRequest, Listening>();

    app.route<{ Params: { id: string }; Querystring: { purpose: string } }>({
      method: 'GET',
      url: '/api/calls/:id/listen',
      config: { access: { action: 'live_listen', inHandler: true } },
      schema: {
        tags: ['calls'],
        description:
          'WebSocket (send Upgrade: websocket). First a JSON text message {type:"start", format:"pcm_s16le", sampleRate:8000, channels:2, channelMap:["agent","customer"], frameMs:100}, then binary frames of interleaved PCM16 LE. Closed with code 4000 (ended), 4001 (R-CAL-2 objection), 4002 (R-PCI-1 pause), 4003 (R-PCI-3), 4004 (R-EMP-4), 4008 (too slow). Access is checked and logged before the upgrade (R-EMP-6, R-MIN-2, R-MIN-3, R-SEC-1).',
        params: idParam,
        querystring: {
          type: 'object',
          properties: { purpose: { type: 'string', enum: [...PURPOSES] } },
          required: ['purpose'],
          additionalProperties: false,
        },
        response: { 409: problemRef, 426: problemRef, 503: problemRef, ...errors },
      },
      preHandler: async (req) => {
        if (!req.ws) return; // the plain-HTTP handler answers 426
        const call = findLiveCall(deps, req.params.id);
        if (call.state !== 'recording')
          throw fail(
            CallsErrors.NOT_IN_PROGRESS,
            'the call is paused (R-PCI-1); listen again after it resumes',
          );
        const object = { ...callObject(call), type: 'recording', id: call.recordingId };
        const principal = await requireAccess(req, {
          action: 'live_listen',
          object,
          purpose: req.query.purpose,
          detail: { event: 'start', callId: call.callId },
        });
        const role = principal.kind === 'user' ? principal.roles.join(',') : 'token';
        listening.set(req, { call, principal, purpose: req.query.purpose, role });
      },
      handler: () => {
        throw fail(CallsErrors.UPGRADE_REQUIRED);
      },
      wsHandler: (socket, req) => {
        const l = listening.get(req);
        const { cluster, live } = deps;
        const subscribe = cluster
          ? (id: string, listener: LiveListener) => cluster.subscribe(id, listener)
          : live
            ? (id: string, listener: LiveListener) => live.subscribe(id, listener)
            : undefined;
        if (!l || !subscribe) {
          socket.close(CLOSE.ended.code, CLOSE.ended.reason);
          return;
        }
        stream(deps, subscribe, socket, req, l);
      },
    });
  };

type Subscribe = (callId: string, listener: LiveListener) => () => void;

function stream(
  deps: ApiDeps,
  subscribe: Subscribe,
  socket: WebSocket,
  req: FastifyRequest,
  l: Listening,
): void {
  const { call, principal, purpose } = l;
  const started = deps.clock.now();
  let frames = 0;
  let done = false;
  const finish = (why: string, close?: { code: number; reason: string }): void => {
    if (done) return;
    done = true;
    unsubscribe();
    if (close && socket.readyState === socket.OPEN) socket.close(close.code, close.reason);
    // R-SEC-2: the end of the session, with its length; the start was logged by requireAccess.
    deps.accessLog
      .append({
        actor: principal.id,
        role: l.role,
        action: 'live_listen',
        objectType: 'live_session',
        objectId: call.recordingId,
        purpose,
        result: 'allowed',
        sourceAddress: req.ip,
        detail: { event: 'end', why, callId: call.callId, durationMs: deps.clock.now() - started, frames },
      })
      .catch((e: unknown) => deps.log.error({ err: String(e) }, 'live listening end not logged'));
  };
  socket.send(JSON.stringify(listenHeader(call.callId, purpose)));
  let unsubscribe = (): void => undefined;
  try {
    unsubscribe = subscribe(call.callId, {
      onBlock: (block) => {
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) return finish('slow', CLOSE.slow);
        socket.send(pcmuToPcm16le(block.pcmu));
        frames++;
      },
      close: (reason, rule) => finish(rule ?? reason, closeFor(reason, rule)),
    });
  } catch {
    return finish('ended', closeFor('ended', undefined)); // no node holds the call any more
  }
  socket.on('close', () => finish('listener_left'));
  // The call may have stopped or paused between the access check and the subscription.
  const now = liveCalls(deps).find((c) => c.callId === call.callId);
  if (now?.state !== 'recording')
    finish(now?.state ?? 'ended', closeFor(now?.state === 'paused' ? 'paused' : 'ended', undefined));
}
