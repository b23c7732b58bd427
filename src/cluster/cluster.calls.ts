/**
 * The calls in progress across the cluster, for the API: `list()` merges this node's calls with those
 * other nodes announce; `subscribe()` attaches a listener to a call wherever its media is (the local
 * LiveHub, or NATS through the relay); `control()` forwards a call-control press to the node holding the
 * call. The caller (the API) has already checked and logged the access (R-EMP-6, R-MIN-3, R-SEC-2): this
 * view never decides who may listen or press.
 */
import { fail } from '../errors.ts';
import type { LiveHub, LiveListener } from '../capture/live.hub.ts';
import type { Recorder } from '../capture/recorder.ts';
import { ClusterErrors } from './errors.ts';
import type { LiveCallInfo } from './live.wire.ts';
import type { NatsRelay } from './nats.relay.ts';
import type { ClusterControl, ControlResult, Press } from './cluster.control.ts';

export interface ClusterCallsDeps {
  readonly nodeId: string;
  /** This node's live fan-out. */
  readonly hub: LiveHub;
  /** This node's calls in progress. */
  readonly local: () => readonly LiveCallInfo[];
  /** Absent on a single node (no ECOUTE_NATS_URL). */
  readonly relay?: NatsRelay | undefined;
  /** Call control across nodes; absent on a single node. */
  readonly control?: ClusterControl | undefined;
}

export interface ClusterCall extends LiveCallInfo {
  /** True when this node holds the call's media. */
  readonly local: boolean;
}

export class ClusterCalls {
  readonly #d: ClusterCallsDeps;

  constructor(deps: ClusterCallsDeps) {
    this.#d = deps;
  }

  get nodeId(): string {
    return this.#d.nodeId;
  }

  list(): ClusterCall[] {
    const local = this.#d.local().map((c) => ({ ...c, local: true }));
    const seen = new Set(local.map((c) => c.callId));
    const remote = (this.#d.relay?.remoteCalls() ?? [])
      .filter((c) => !seen.has(c.callId))
      .map((c) => ({ ...c, local: false }));
    return [...local, ...remote];
  }

  get(callId: string): ClusterCall | undefined {
    return this.list().find((c) => c.callId === callId);
  }

  /** Attaches an (already authorised) listener; throws ECOUTE_CLUSTER_CALL_NOT_LIVE if no node has it. */
  subscribe(callId: string, listener: LiveListener): () => void {
    const call = this.get(callId);
    if (!call) throw fail(ClusterErrors.CALL_NOT_LIVE, undefined, { callId });
    if (call.local || !this.#d.relay) return this.#d.hub.subscribe(callId, listener);
    return this.#d.relay.subscribeRemote(callId, listener);
  }

  /**
   * Forwards an (already authorised and logged) press to the node holding `call`, which applies it and
   * answers with the call's state; see ClusterControl.forward for the errors.
   */
  control(call: ClusterCall, press: Omit<Press, 'callId'>): Promise<ControlResult> {
    if (call.local || !this.#d.control)
      throw fail(ClusterErrors.CALL_NOT_LIVE, 'not a call held by another node', { callId: call.callId });
    return this.#d.control.forward(call.nodeId, { ...press, callId: call.callId });
  }
}

/** This node's calls, from the recorder, as the cluster announces them (non-personal facts only). */
export function localCallsOf(recorder: Pick<Recorder, 'active'>, nodeId: string): () => LiveCallInfo[] {
  return () => {
    const out: LiveCallInfo[] = [];
    for (const call of recorder.active.values()) {
      const state = call.state;
      if (state !== 'recording' && state !== 'paused') continue;
      const i = call.info;
      out.push({
        callId: i.callId,
        recordingId: i.recordingId,
        nodeId,
        team: i.team ?? null,
        agentId: i.agentId ?? null,
        queue: i.queue ?? null,
        direction: i.direction,
        policyId: i.decision.policyId ?? null,
        purposes: [...i.decision.purposes],
        liveListening: i.decision.liveListening,
        startedAt: i.startedAt,
        state,
      });
    }
    return out;
  };
}
