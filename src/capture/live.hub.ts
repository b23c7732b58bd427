/**
 * Live listening fan-out (R-EMP-6): the recorder publishes each call's blocks here; authorised listeners
 * (checked and logged by the API before they subscribe) receive them. A slow or faulty listener never
 * stalls media: delivery is synchronous and a throwing listener is dropped. On objection or pause every
 * listener of the call is disconnected with the rule that ended it (R-CAL-2, R-PCI-1).
 */
import type { StereoBlock } from '../media/pipeline.types.ts';

export interface LiveListener {
  /** A block of the call: stereo µ-law, channel 0 agent, channel 1 customer. Must not block. */
  onBlock(block: StereoBlock): void;
  /** The call ended for this listener; `rule` says why when a rule ended it. */
  close(reason: 'ended' | 'objection' | 'paused' | 'revoked', rule?: string): void;
}

/** Where live audio goes beyond this process (NATS across nodes); the in-process hub is the default. */
export interface LiveRelay {
  publish(callId: string, block: StereoBlock): void;
  /** The call's listeners were disconnected here; remote listeners must be too (R-CAL-2, R-PCI-1). */
  disconnect?(callId: string, reason: 'ended' | 'objection' | 'paused' | 'revoked', rule?: string): void;
}

export class LiveHub {
  readonly #byCall = new Map<string, Set<LiveListener>>();
  #relay: LiveRelay | undefined;

  setRelay(relay: LiveRelay | undefined): void {
    this.#relay = relay;
  }

  subscribe(callId: string, listener: LiveListener): () => void {
    let set = this.#byCall.get(callId);
    if (!set) this.#byCall.set(callId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#byCall.delete(callId);
    };
  }

  listeners(callId: string): number {
    return this.#byCall.get(callId)?.size ?? 0;
  }

  publish(callId: string, block: StereoBlock): void {
    this.#relay?.publish(callId, block);
    const set = this.#byCall.get(callId);
    if (!set) return;
    for (const l of set) {
      try {
        l.onBlock(block);
      } catch {
        set.delete(l);
      }
    }
  }

  /** Disconnects every listener of a call. */
  disconnect(callId: string, reason: 'ended' | 'objection' | 'paused' | 'revoked', rule?: string): void {
    this.#relay?.disconnect?.(callId, reason, rule);
    const set = this.#byCall.get(callId);
    if (!set) return;
    this.#byCall.delete(callId);
    for (const l of set) {
      try {
        l.close(reason, rule);
      } catch {
        // a listener that fails to close is gone anyway
      }
    }
  }
}
