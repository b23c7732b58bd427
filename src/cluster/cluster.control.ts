/**
 * Call control across nodes (issue 10: every node serves the API). A press that lands on a node which does
 * not hold the call is checked and logged there (the API, R-SEC-2, R-MIN-3), then forwarded here: a NATS
 * request on the owner's subject (`ecoute.control.<node>`), signed with the cluster control key, answered
 * within `timeoutMs` by the owner, which applies it through the same ActiveCall method as a local press
 * (capture/call-control.ts) and replies with the call's resulting state. No answer is an error, never a
 * silent success: a card-data pause (R-PCI-1) that did not happen must not look as if it had.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import { fail, isEcouteError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Recorder } from '../capture/recorder.ts';
import { applyControl, controllable, type PressedBy } from '../capture/call-control.ts';
import { ClusterErrors } from './errors.ts';
import { CLOCK_TOLERANCE_MS } from './sealed.wire.ts';
import type { ClusterMetrics } from './nats.relay.ts';
import {
  controlSubject,
  decodeReply,
  decodeRequest,
  encodeReply,
  encodeRequest,
  type ControlAction,
  type ControlReply,
  type ControlRequest,
  type Refusal,
} from './control.wire.ts';

/** How long a node waits for the owner's answer by default, ms: a CTI expects an answer at once. */
export const CONTROL_TIMEOUT_MS = 2000;
/** How far apart the sender's and the owner's clocks may be, ms; also how long request ids are kept. */
export const CONTROL_TOLERANCE_MS = CLOCK_TOLERANCE_MS;

/** The request/reply part of the NATS connection (NatsRelay). */
export interface ControlTransport {
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  serve(subject: string, handler: (data: Uint8Array) => Promise<Uint8Array>): () => void;
}

export interface ClusterControlOptions {
  readonly nodeId: string;
  readonly transport: ControlTransport;
  /** The cluster control key (control.key.ts), the same on every node. */
  readonly key: Uint8Array;
  /** This node's calls: the owner side acts on them. */
  readonly calls: Pick<Recorder, 'active'>;
  readonly log: Logger;
  /** Counts refused requests (`control_<refusal>`); optional (tests). */
  readonly metrics?: ClusterMetrics | undefined;
  readonly clock?: Clock;
  /** Default CONTROL_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/** What the owner answered: the call after the action. */
export interface ControlResult {
  readonly callId: string;
  readonly recordingId: string;
  readonly state: string;
  /** Audio captured so far on the owner, ms. */
  readonly capturedMs: number;
}

export interface Press {
  readonly callId: string;
  readonly action: ControlAction;
  readonly by: { readonly kind: PressedBy; readonly id: string };
}

export class ClusterControl {
  readonly #o: ClusterControlOptions;
  readonly #clock: Clock;
  /** Request ids already served, with their send time: a replay inside the tolerance is refused. */
  readonly #seen = new Map<string, number>();
  #stop: (() => void) | undefined;

  constructor(o: ClusterControlOptions) {
    this.#o = o;
    this.#clock = o.clock ?? systemClock;
  }

  /** Starts answering the requests other nodes send for this node's calls. */
  start(): void {
    this.#stop ??= this.#o.transport.serve(controlSubject(this.#o.nodeId), (data) =>
      Promise.resolve(this.#answer(data)).then((r) => encodeReply(this.#o.key, r)),
    );
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
  }

  /**
   * Sends `press` to `owner` and resolves with the owner's answer. Throws OWNER_UNREACHABLE when no answer
   * comes, CALL_NOT_LIVE when the owner no longer has the call, CONTROL_FORGED when either side's
   * signature does not verify or the owner refused the request, CONTROL_FAILED when the action failed there.
   */
  async forward(owner: string, press: Press): Promise<ControlResult> {
    const { nodeId, key, log } = this.#o;
    const requestId = randomUUID();
    const request: ControlRequest = {
      v: 1,
      kind: 'request',
      requestId,
      callId: press.callId,
      action: press.action,
      by: press.by,
      from: nodeId,
      to: owner,
      at: this.#clock.now(),
    };
    const ids = { requestId, callId: press.callId, action: press.action, node: owner };
    let data: Uint8Array;
    try {
      data = await this.#o.transport.request(
        controlSubject(owner),
        encodeRequest(key, request),
        this.#o.timeoutMs ?? CONTROL_TIMEOUT_MS,
      );
    } catch (e) {
      const reason = whyUnanswered(e);
      log.warn({ ...ids, reason }, 'the node holding the call did not answer a control request');
      throw fail(
        ClusterErrors.OWNER_UNREACHABLE,
        `the node holding the call (${owner}) did not answer: ${reason}`,
        { ...ids, reason },
        e,
      );
    }
    let reply: ControlReply;
    try {
      reply = decodeReply(key, data);
    } catch (e) {
      if (isEcouteError(e, ClusterErrors.CONTROL_FORGED)) throw e;
      throw fail(ClusterErrors.CONTROL_FAILED, 'malformed control reply', ids, e);
    }
    if (reply.requestId !== requestId || reply.from !== owner)
      throw fail(ClusterErrors.CONTROL_FORGED, 'control reply for another request or node', ids);
    switch (reply.outcome) {
      case 'done':
        log.info(ids, 'control request applied by the node holding the call');
        return {
          callId: reply.callId,
          recordingId: reply.recordingId,
          state: reply.state,
          capturedMs: reply.capturedMs,
        };
      case 'not_in_progress':
        throw fail(ClusterErrors.CALL_NOT_LIVE, undefined, ids);
      case 'failed':
        throw fail(ClusterErrors.CONTROL_FAILED, undefined, ids);
      case 'refused':
        throw fail(
          ClusterErrors.CONTROL_FORGED,
          `the node holding the call refused the request: ${reply.refusal ?? 'unknown'}`,
          { ...ids, refusal: reply.refusal },
        );
    }
  }

  async #answer(data: Uint8Array): Promise<ControlReply> {
    const { nodeId, key, log } = this.#o;
    let req: ControlRequest;
    try {
      req = decodeRequest(key, data);
    } catch (e) {
      const refusal: Refusal = isEcouteError(e, ClusterErrors.CONTROL_FORGED) ? 'signature' : 'malformed';
      this.#o.metrics?.clusterRejected(`control_${refusal}`);
      log.warn({ code: (e as { code?: string }).code, refusal }, 'control request refused');
      return { v: 1, kind: 'reply', requestId: 'unknown', from: nodeId, outcome: 'refused', refusal };
    }
    const reply = (outcome: 'not_in_progress' | 'failed' | 'refused', refusal?: Refusal): ControlReply => ({
      v: 1,
      kind: 'reply',
      requestId: req.requestId,
      from: nodeId,
      outcome,
      ...(refusal ? { refusal } : {}),
    });
    const ids = { requestId: req.requestId, callId: req.callId, action: req.action, from: req.from };
    const refusal = this.#admit(req);
    if (refusal) {
      this.#o.metrics?.clusterRejected(`control_${refusal}`);
      log.warn({ ...ids, code: ClusterErrors.CONTROL_FORGED.code, refusal }, 'control request refused');
      return reply('refused', refusal);
    }
    const call = controllable(this.#o.calls.active.get(req.callId));
    if (!call) return reply('not_in_progress');
    if (req.action !== 'incident') {
      try {
        await applyControl(call, req.action, req.by.kind);
      } catch (e) {
        log.error({ ...ids, err: e }, 'control request from another node failed');
        return reply('failed');
      }
    }
    log.info({ ...ids, by: req.by.kind }, 'control request applied for another node');
    return {
      v: 1,
      kind: 'reply',
      requestId: req.requestId,
      from: nodeId,
      outcome: 'done',
      callId: call.callId,
      recordingId: call.info.recordingId,
      state: call.state,
      capturedMs: call.capturedMs,
    };
  }

  /** A signed request is still refused when meant for another node, too old or too new, or seen before. */
  #admit(req: ControlRequest): Refusal | undefined {
    const now = this.#clock.now();
    for (const [id, at] of this.#seen) if (at < now - CONTROL_TOLERANCE_MS) this.#seen.delete(id);
    if (req.to !== this.#o.nodeId) return 'wrong_node';
    if (Math.abs(now - req.at) > CONTROL_TOLERANCE_MS) return 'stale';
    if (this.#seen.has(req.requestId)) return 'replayed';
    this.#seen.set(req.requestId, req.at);
    return undefined;
  }
}

function whyUnanswered(e: unknown): string {
  for (let x: unknown = e; x instanceof Error; x = x.cause) {
    if (x.name === 'NoRespondersError' || /no responders/i.test(x.message)) return 'no node serves it';
    if (x.name === 'TimeoutError' || /timeout/i.test(x.message)) return 'timeout';
    if (x.name === 'ClosedConnectionError' || x.name === 'DrainingConnectionError')
      return 'NATS connection closed';
  }
  return 'NATS request failed';
}
