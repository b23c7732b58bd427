/**
 * The recorder: implements the capture port for every protocol adapter (DESIGN.md "The flow of one call").
 * `admit` decides; `open` creates the call, the recording and its spool; WebSocket and import adapters get a
 * `CallHandle` whose media pipeline runs here, the SIPREC adapter feeds blocks from its RTP workers.
 */
import { randomUUID } from 'node:crypto';
import { DAY_MS, type Clock } from '../clock.ts';
import { fail, isEcouteError, type EcouteError } from '../errors.ts';
import { CaptureErrors } from './errors.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log.ts';
import { CallMediaPipeline } from '../media/pipeline.ts';
import type { Rng } from '../policy/rng.ts';
import type { SpoolWriter } from '../vault/spool.ts';
import type { Vault } from '../vault/vault.ts';
import { ActiveCall, type CallEventsSink } from './active-call.ts';
import { admit, findAgent, type Admission } from './admission.ts';
import type { CallFactsInput, CallHandle, CaptureSink, Channel, ProtocolInfo } from './capture.port.ts';
import type { LiveHub } from './live.hub.ts';
import type { NumberProtection } from './numbers.ts';
import type { PolicySource } from './policy.source.ts';
import type { RecorderMetrics } from '../metrics/metrics.ts';

export interface RecorderDeps {
  readonly db: Db;
  readonly vault: Vault;
  readonly clock: Clock;
  readonly log: Logger;
  readonly rng: Rng;
  readonly policies: PolicySource;
  readonly numbers: NumberProtection;
  readonly live: LiveHub;
  readonly events: CallEventsSink;
  /** Counts decisions and lost media for Prometheus; never the access log (R-SEC-3). */
  readonly metrics?: RecorderMetrics;
}

const FORMAT = 'pcmu/8000/2';

export class Recorder implements CaptureSink {
  readonly #d: RecorderDeps;
  readonly #active = new Map<string, ActiveCall>();

  constructor(deps: RecorderDeps) {
    this.#d = deps;
  }

  /** Calls being recorded now, for live listing and call control. */
  get active(): ReadonlyMap<string, ActiveCall> {
    return this.#active;
  }

  /** Decides whether a call is recorded; a "no" leaves only the anonymous counter (R-MIN-4). */
  async admit(input: CallFactsInput): Promise<Admission> {
    const adm = await admit(this.#d, randomUUID(), input);
    this.#d.metrics?.decision(adm.decision.record ? 'recorded' : 'not_recorded', adm.decision.reason);
    return adm;
  }

  /** Opens an admitted call: the call row, the recording row and its spool (key stored wrapped first). */
  async open(adm: Admission, input: CallFactsInput, protocol: ProtocolInfo): Promise<ActiveCall> {
    const { db, vault, numbers } = this.#d;
    const { decision, callId } = adm;
    if (!decision.record || !decision.policyId || decision.policyVersion === undefined)
      throw new Error('open() needs a decision to record');
    const recordingId = randomUUID();
    const startedAt = Math.max(input.startedAt, decision.startAt);
    await db.calls.insert({
      id: callId,
      startedAt,
      direction: input.direction,
      queue: input.queue,
      agentId: adm.agent?.id,
      team: adm.agent?.teamId,
      protocol: protocol.name,
      protocolIds: protocol.ids,
      customerNumberEnc: input.customerNumber ? numbers.encrypt(input.customerNumber, callId) : undefined,
      customerHash: adm.customerHash,
      noticeVersion: input.noticeVersion,
      noticeEndedAt: input.noticeEndedAt,
      decision,
    });
    await db.recordings.insert({
      id: recordingId,
      callId,
      policyId: decision.policyId,
      policyVersion: decision.policyVersion,
      purposes: decision.purposes,
      startedAt,
      writeOnce: decision.writeOnce,
      agentId: adm.agent?.id,
      team: adm.agent?.teamId,
      queue: input.queue,
      direction: input.direction,
      customerHash: adm.customerHash,
    });
    let spool: SpoolWriter;
    try {
      spool = await vault.openSpool(recordingId, {
        format: FORMAT,
        onError: (e) => {
          this.#d.log.error({ recordingId, code: e.code }, 'spool write failed');
          this.#d.events.failed(recordingId, callId, e);
        },
      });
    } catch (e) {
      throw await this.#notOpened(adm, recordingId, startedAt, e);
    }
    const call = new ActiveCall(
      this.#d,
      {
        callId,
        recordingId,
        protocol: protocol.name,
        decision,
        agentId: adm.agent?.id,
        team: adm.agent?.teamId,
        queue: input.queue,
        direction: input.direction,
        startedAt,
        slotDay: adm.slotDay,
      },
      spool,
    );
    this.#active.set(callId, call);
    return call;
  }

  /**
   * The spool could not be opened after the rows were written (full disk, key store down): no audio
   * exists. Without this the recording would stay `recording` forever and hold the agent's daily slot.
   * The recording is marked failed (expiring like the policy's recordings, R-RET-1), the call ended
   * without its customer number, the slot given back (R-PUR-3) and the failure reported; the named error
   * returned tells the adapter to answer the call as not recorded.
   */
  async #notOpened(adm: Admission, recordingId: string, startedAt: number, e: unknown): Promise<EcouteError> {
    const { db, clock, log, events } = this.#d;
    const { callId, decision } = adm;
    const cause = isEcouteError(e) ? e.code : ((e as NodeJS.ErrnoException).code ?? 'unknown');
    const error = fail(
      CaptureErrors.OPEN_FAILED,
      'the recording could not be opened',
      { recordingId, cause },
      e,
    );
    log.error({ recordingId, callId, code: error.code, cause }, 'recording not opened; call not recorded');
    const now = clock.now();
    const days = decision.retention?.recordingDays ?? 0;
    const steps = await Promise.allSettled([
      db.recordings.markFailed(recordingId, { endedAt: now, expiresAt: startedAt + days * DAY_MS }),
      db.calls.end(callId, now).then(() => db.calls.forgetCustomer(callId)),
      this.#releaseSlot(adm),
    ]);
    for (const s of steps)
      if (s.status === 'rejected') log.error({ recordingId, err: s.reason }, 'compensation step failed');
    events.failed(recordingId, callId, error);
    return error;
  }

  async #releaseSlot(adm: Admission): Promise<void> {
    const { decision, agent, slotDay } = adm;
    if (slotDay && agent && decision.policyId)
      await this.#d.db.counters.releaseSlot(decision.policyId, agent.id, slotDay);
  }

  /** Removes an ended call from the active set once its end work is done. */
  async close(callId: string, reason: Parameters<ActiveCall['end']>[0]): Promise<void> {
    const call = this.#active.get(callId);
    if (!call) return;
    try {
      await call.end(reason);
    } finally {
      this.#active.delete(callId);
    }
  }

  /**
   * A transfer brought another agent onto a recorded call (SIPREC `datamode partial`): the policy gates
   * about the agent are checked again; an uninformed agent (R-EMP-2), a protected line (R-EMP-5) or a
   * never-record line (R-EMP-4) ends the recording from that moment.
   */
  async recheckAgent(
    callId: string,
    who: Pick<CallFactsInput, 'agentExternalId' | 'agentExtension'>,
  ): Promise<{ readonly keep: boolean; readonly rule?: string }> {
    const call = this.#active.get(callId);
    if (!call) return { keep: false };
    const inForce = this.#d.policies.current();
    const agent = await findAgent(this.#d.db, who);
    if (!agent || !inForce) return { keep: false, rule: 'R-EMP-2' };
    if (agent.protectedLine) return { keep: false, rule: 'R-EMP-5' };
    if (agent.neverRecord) return { keep: false, rule: 'R-EMP-4' };
    if (agent.noticeVersion !== inForce.context.employeeNoticeVersion)
      return { keep: false, rule: 'R-EMP-2' };
    return { keep: true };
  }

  /** The capture port for WebSocket and import adapters: the media pipeline runs on this thread. */
  async start(input: CallFactsInput, protocol: ProtocolInfo): Promise<CallHandle | undefined> {
    const adm = await this.admit(input);
    if (!adm.decision.record) return undefined;
    // R-RET-1..3: an imported call already past its retention is refused, not stored for an instant.
    const days = adm.decision.retention?.recordingDays ?? 0;
    if (input.startedAt + days * DAY_MS <= this.#d.clock.now()) {
      await this.#releaseSlot(adm);
      throw fail(CaptureErrors.EXPIRED, 'the call is older than its retention', { days });
    }
    const call = await this.open(adm, input, protocol);
    const objectionKey = this.#d.policies.current()?.file.notices.caller.objectionKey;
    const pipeline = new CallMediaPipeline({ channels: 2, objectionKey });
    pipeline.addSink(call);
    pipeline.on('segment', (s) => call.onSegment(s));
    pipeline.on('objection', () => void call.objection('dtmf'));
    call.attachMedia({
      pause: () => pipeline.pause(),
      resume: () => pipeline.resume(),
      stop: () => pipeline.close(),
    });
    const lost = (ms: number): void => this.#d.metrics?.packetsLost(Math.round(ms / 20));
    return new PipelineHandle(call, pipeline, (reason) => this.close(call.callId, reason), lost);
  }

  /**
   * After a crash: seal what the spools hold and mark those recordings interrupted (issue 3). Each one
   * then fires `sealed` (interrupted) like a call sealed at its end, so that the analytics job and the
   * `recording.sealed` webhook are not skipped for it.
   */
  async recover(): Promise<{ sealed: number; failed: number }> {
    const { vault, db, log, events } = this.#d;
    let sealed = 0;
    let failed = 0;
    for (const r of await vault.recoverSpools()) {
      if (r.outcome !== 'sealed' || !r.sealed) {
        if (r.outcome === 'failed') failed++;
        continue;
      }
      const rec = await db.recordings.get(r.recordingId);
      if (!rec) continue;
      const call = await db.calls.get(rec.callId);
      const days =
        (call?.decision as { retention?: { recordingDays?: number } } | undefined)?.retention
          ?.recordingDays ?? 0;
      await db.recordings.setSealed(rec.id, {
        endedAt: this.#d.clock.now(),
        durationMs: Math.round((r.sealed.durationBytes / 16000) * 1000),
        segments: rec.segments,
        codec: r.sealed.format,
        sizeBytes: r.sealed.size,
        sha256: r.sealed.sha256,
        blobKey: r.sealed.blobKey,
        expiresAt: rec.startedAt + days * DAY_MS,
        state: 'interrupted',
      });
      events.sealed(rec.id, rec.callId, { interrupted: true });
      sealed++;
    }
    if (sealed || failed) log.warn({ sealed, failed }, 'spools recovered after an interruption');
    return { sealed, failed };
  }
}

/** A CallHandle over a main-thread pipeline: adapters push PCM, the pipeline places it on the timeline. */
class PipelineHandle implements CallHandle {
  readonly #pos: [number, number] = [0, 0];
  #split: [Int16Array, Int16Array] = [new Int16Array(0), new Int16Array(0)];
  #ended = false;

  constructor(
    readonly call: ActiveCall,
    readonly pipeline: CallMediaPipeline,
    readonly finish: (reason: Parameters<CallHandle['end']>[0]) => Promise<void>,
    readonly lost?: (ms: number) => void,
  ) {}

  get callId(): string {
    return this.call.callId;
  }

  push(channel: Channel, samples: Int16Array): void {
    this.pipeline.push(channel, samples, this.#pos[channel]);
    this.#pos[channel] += samples.length;
  }

  /** Splits into reused buffers (no allocation per frame): the pipeline copies what it is given. */
  pushStereo(interleaved: Int16Array): void {
    const n = interleaved.length >> 1;
    if (this.#split[0].length < n) this.#split = [new Int16Array(n), new Int16Array(n)];
    const [a, c] = this.#split;
    for (let i = 0; i < n; i++) {
      a[i] = interleaved[2 * i] as number;
      c[i] = interleaved[2 * i + 1] as number;
    }
    for (const ch of [0, 1] as const) {
      this.pipeline.push(ch, this.#split[ch], this.#pos[ch], 0, n);
      this.#pos[ch] += n;
    }
  }

  dtmf(digit: string): void {
    this.pipeline.telephoneEvent(1, digit);
  }

  pause(): void {
    this.call.pause('api');
  }

  resume(): void {
    this.call.resume();
  }

  gap(ms: number, kind: 'lost' | 'discarded', channel?: Channel): void {
    if (kind === 'lost') this.lost?.(ms);
    const n = Math.round((ms * 8000) / 1000);
    for (const ch of channel === undefined ? ([0, 1] as const) : [channel]) this.#pos[ch] += n;
    this.pipeline.advanceTo(Math.min(...this.#pos));
  }

  async end(reason: Parameters<CallHandle['end']>[0]): Promise<void> {
    if (this.#ended) return this.call.finished;
    this.#ended = true;
    this.pipeline.advanceTo(Math.max(...this.#pos));
    this.pipeline.close();
    await this.finish(reason);
  }
}
