/**
 * One call being recorded: owns its spool and lifecycle, receives the media blocks (from an RTP worker or
 * a main-thread pipeline), fans them out to live listeners, and at the end seals the recording and writes
 * its metadata. Compliance steps come from the pure lifecycle (src/calls/): this class only carries out
 * the effects it is given, in order.
 */
import type { Clock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { DAY_MS } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { BlockSink, StereoBlock } from '../media/pipeline.types.ts';
import type { Segment } from '../media/timeline.ts';
import type { Decision } from '../policy/decide.ts';
import type { SpoolWriter } from '../vault/spool.ts';
import {
  initialState,
  nextState,
  type CallEffect,
  type CallEvent,
  type CallState,
  type PauseReason,
} from '../calls/call.lifecycle.ts';
import type { CaptureProtocol, EndReason } from './capture.port.ts';
import type { LiveHub } from './live.hub.ts';

/** How the recorder reaches the media of the call (the RTP worker, or the main-thread pipeline). */
export interface MediaControl {
  pause(): void;
  resume(): void;
  /**
   * Stops media for good (objection, end). At the end of a call it resolves once the media still in
   * flight (jitter buffer, block assembly) has been handed over, so the recording keeps its tail.
   */
  stop(): void | Promise<unknown>;
}

export type RecorderAction = 'objection' | 'pause' | 'resume' | 'card_data' | 'personal_call';

export interface SealedEvent {
  readonly interrupted: boolean;
}

export interface CallEventsSink {
  /** A compliance action happened on a call (for the access log and webhooks; never personal data). */
  action(callId: string, action: RecorderAction, detail: Readonly<Record<string, unknown>>): void;
  /**
   * The recording is in the blob store: at the end of a call, or by `Recorder.recover()` after a crash
   * (`interrupted`: the spool lost its end, at most the last chunk; state `interrupted`).
   */
  sealed(recordingId: string, callId: string, info: SealedEvent): void;
  destroyed(recordingId: string, callId: string, rule: string): void;
  failed(recordingId: string, callId: string, error: unknown): void;
}

export interface ActiveCallDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly live: LiveHub;
  readonly events: CallEventsSink;
}

export interface ActiveCallInfo {
  readonly callId: string;
  readonly recordingId: string;
  readonly protocol: CaptureProtocol;
  readonly decision: Decision;
  readonly agentId: string | undefined;
  readonly team: string | undefined;
  readonly queue: string | undefined;
  readonly direction: string;
  readonly startedAt: number;
  readonly slotDay: string | undefined;
}

const RATE = 8000;

export class ActiveCall implements BlockSink {
  readonly info: ActiveCallInfo;
  readonly #d: ActiveCallDeps;
  readonly #spool: SpoolWriter;
  readonly #segments: Segment[] = [];
  #state: CallState;
  #media: MediaControl | undefined;
  #endSample = 0;
  #bytes = 0;
  #done: Promise<void> | undefined;
  /** True while the media's tail is drained after the end: blocks are still written, never listened to. */
  #draining = false;

  constructor(deps: ActiveCallDeps, info: ActiveCallInfo, spool: SpoolWriter) {
    this.#d = deps;
    this.info = info;
    this.#spool = spool;
    this.#state = initialState(deps.clock.now());
  }

  get callId(): string {
    return this.info.callId;
  }

  get state(): CallState['kind'] {
    return this.#state.kind;
  }

  /** Seconds of audio captured so far. */
  get capturedMs(): number {
    return Math.round((this.#endSample * 1000) / RATE);
  }

  attachMedia(media: MediaControl): void {
    this.#media = media;
  }

  onBlock(block: StereoBlock): void {
    const kind = this.#state.kind;
    const draining = kind === 'ended' && this.#draining;
    if (kind !== 'recording' && kind !== 'paused' && !draining) return; // destroyed or sealed: nothing more
    // While paused the media gate (R-PCI-1) hands over digital silence, so the timeline keeps its length
    // and the gap shows where it was; listeners get nothing of it.
    this.#spool.append(block.pcmu);
    this.#bytes += block.pcmu.length;
    this.#endSample = Math.max(this.#endSample, block.startSample + block.frames);
    if (kind === 'recording' && !block.paused) this.#d.live.publish(this.info.callId, block);
  }

  onSegment(segment: Segment): void {
    this.#segments.push(segment);
  }

  pause(reason: PauseReason): void {
    void this.#apply({ kind: 'pause', at: this.#d.clock.now(), reason });
  }

  resume(): void {
    void this.#apply({ kind: 'resume', at: this.#d.clock.now() });
  }

  /** R-CAL-2. Resolves once the audio is destroyed. */
  objection(by: 'dtmf' | 'agent' | 'api'): Promise<void> {
    return this.#apply({ kind: 'objection', at: this.#d.clock.now(), by });
  }

  /** R-PCI-3. */
  cardData(): Promise<void> {
    return this.#apply({ kind: 'card_data', at: this.#d.clock.now() });
  }

  /** R-EMP-4. */
  personal(): Promise<void> {
    return this.#apply({ kind: 'personal', at: this.#d.clock.now() });
  }

  /** Ends the call and seals it (or finishes destroying it); idempotent. */
  end(reason: EndReason): Promise<void> {
    return this.#apply({ kind: 'end', at: this.#d.clock.now(), reason });
  }

  /** Resolves when the call is sealed or destroyed. */
  get finished(): Promise<void> {
    return this.#done ?? Promise.resolve();
  }

  #apply(event: CallEvent): Promise<void> {
    const t = nextState(this.#state, event);
    this.#state = t.state;
    let work: Promise<void> | undefined;
    for (const effect of t.effects) {
      const p = this.#effect(effect);
      if (p) work = p;
    }
    if (work) this.#done = work;
    return work ?? this.#done ?? Promise.resolve();
  }

  #effect(e: CallEffect): Promise<void> | undefined {
    const { callId } = this.info;
    switch (e.kind) {
      case 'gate_closed':
        this.#media?.pause();
        return undefined;
      case 'gate_opened':
        this.#media?.resume();
        return undefined;
      case 'disconnect_listeners':
        this.#d.live.disconnect(callId, e.rule === 'R-PCI-1' ? 'paused' : 'objection', e.rule);
        return undefined;
      case 'log':
        this.#d.events.action(callId, e.action, { recordingId: this.info.recordingId });
        return undefined;
      case 'mark_segment':
        return undefined; // the media pipeline measures paused spans on the audio timeline itself
      case 'destroy_audio':
        // Nothing of the tail is kept: the spool and its key go first, whatever media is still in flight.
        void Promise.resolve(this.#media?.stop()).catch(() => undefined);
        return this.#destroy(e.rule);
      case 'seal':
        this.#d.live.disconnect(callId, 'ended');
        return this.#drainThenSeal();
    }
  }

  async #destroy(rule: string): Promise<void> {
    const { db } = this.#d;
    const { recordingId, callId } = this.info;
    try {
      await this.#spool.abort(rule);
      await db.recordings.updateState(recordingId, 'objected');
      await db.shredReceipts.add({
        objectId: recordingId,
        kind: 'recording',
        rule,
        scope: { audio: true, reason: rule },
      });
      await db.calls.forgetCustomer(callId);
      await this.#releaseSlot();
      this.#d.log.info({ recordingId, rule }, 'recording destroyed before sealing');
      this.#d.events.destroyed(recordingId, callId, rule);
    } catch (e) {
      this.#d.log.error({ recordingId, err: e }, 'recording destruction failed');
      this.#d.events.failed(recordingId, callId, e);
    }
  }

  async #releaseSlot(): Promise<void> {
    const { decision, agentId, slotDay } = this.info;
    if (slotDay && agentId && decision.policyId)
      await this.#d.db.counters.releaseSlot(decision.policyId, agentId, slotDay);
  }

  async #drainThenSeal(): Promise<void> {
    this.#draining = true;
    try {
      await this.#media?.stop();
    } catch (e) {
      this.#d.log.warn({ recordingId: this.info.recordingId, err: e }, 'media did not stop cleanly');
    } finally {
      this.#draining = false;
    }
    await this.#seal();
  }

  async #seal(): Promise<void> {
    const { db, clock } = this.#d;
    const { recordingId, callId, decision, startedAt } = this.info;
    const endedAt = clock.now();
    try {
      const sealed = await this.#spool.finish();
      const retention = decision.retention;
      const recordingDays = retention?.recordingDays ?? 0;
      const reviewDays = retention?.reviewWindowDays;
      await db.recordings.setSealed(recordingId, {
        endedAt,
        durationMs: this.capturedMs,
        segments: this.#segments,
        codec: sealed.format,
        sizeBytes: sealed.size,
        sha256: sealed.sha256,
        blobKey: sealed.blobKey,
        expiresAt: startedAt + recordingDays * DAY_MS, // R-RET-1..3, counted from collection
        audioExpiresAt: reviewDays === undefined ? undefined : startedAt + reviewDays * DAY_MS, // R-RET-5
        state: sealed.interrupted ? 'interrupted' : 'sealed',
      });
      await db.calls.end(callId, endedAt);
      this.#d.log.info({ recordingId, durationMs: this.capturedMs, bytes: this.#bytes }, 'recording sealed');
      this.#d.events.sealed(recordingId, callId, { interrupted: sealed.interrupted });
    } catch (e) {
      // The spool stays on disk: recovery at the next start (or the finalise job) seals it.
      this.#d.log.error({ recordingId, err: e }, 'sealing failed; spool kept for recovery');
      this.#d.events.failed(recordingId, callId, e);
    }
  }
}
