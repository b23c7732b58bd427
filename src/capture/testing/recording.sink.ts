/**
 * RecordingSink: a REAL, simple CaptureSink for adapter tests (named as a test sink, STYLE.md §10). It
 * records every call it is allowed to (a `record` predicate stands in for the policy decision), keeps
 * the timeline per channel in memory, and on `end` writes `<callId>.wav` (stereo: agent, customer; PCM16
 * 8 kHz) and `<callId>.json` (facts without the customer number, gaps, pauses, end reason). It applies
 * the pause gate (R-PCI-1: paused audio becomes silence, never stored) and the objection key (R-CAL-2:
 * the audio captured so far is destroyed and nothing more is kept). It is not the product's recorder.
 */
import { deinterleave } from '../fork/decimator.ts';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fail } from '../../errors.ts';
import { DAY_MS, type Clock, systemClock } from '../../clock.ts';
import { CaptureErrors } from '../errors.ts';
import type {
  CallFactsInput,
  CallHandle,
  CaptureSink,
  Channel,
  EndReason,
  GapKind,
  ProtocolInfo,
} from '../capture.port.ts';
import { encodeWav } from './wav.writer.ts';
import { readWav } from '../import/wav.reader.ts';

export interface RecordedManifest {
  readonly callId: string;
  readonly protocol: ProtocolInfo;
  readonly facts: Omit<CallFactsInput, 'customerNumber'>;
  readonly hadCustomerNumber: boolean;
  readonly durationMs: number;
  /** Where the timeline was filled with silence: at (ms from call start, on the channel), length. */
  readonly gaps: readonly { atMs: number; ms: number; kind: GapKind; channel: Channel | 'both' }[];
  readonly pauses: readonly { startMs: number; endMs: number; reason: string }[];
  readonly dtmfCount: number;
  readonly objected: boolean;
  readonly endReason: EndReason;
}

export interface RecordingSinkOptions {
  readonly dir: string;
  /** Stands in for the policy decision; default: record every call. */
  readonly record?: (facts: CallFactsInput) => boolean;
  /** Key that signals an objection (R-CAL-2); default '9'. */
  readonly objectionDigit?: string;
  /** Retention from the call's start, days; a call already past it is refused (R-RET-1). Default 183. */
  readonly retentionDays?: number;
  readonly clock?: Clock;
}

export class RecordingSink implements CaptureSink {
  readonly ended = new Map<string, RecordedManifest>();
  readonly started: ProtocolInfo[] = [];
  readonly refused: ProtocolInfo[] = [];
  readonly #untaken: RecordedManifest[] = [];
  #waiters: { callId?: string; resolve: (m: RecordedManifest) => void }[] = [];

  constructor(private readonly options: RecordingSinkOptions) {}

  start(facts: CallFactsInput, protocol: ProtocolInfo): Promise<CallHandle | undefined> {
    const clock = this.options.clock ?? systemClock;
    if (facts.startedAt + (this.options.retentionDays ?? 183) * DAY_MS <= clock.now()) {
      return Promise.reject(fail(CaptureErrors.EXPIRED, undefined, { protocol: protocol.name }));
    }
    if (!(this.options.record ?? (() => true))(facts)) {
      this.refused.push(protocol);
      return Promise.resolve(undefined);
    }
    this.started.push(protocol);
    return Promise.resolve(
      new SinkCall(randomUUID(), facts, protocol, this.options.objectionDigit ?? '9', (m, p) =>
        this.#save(m, p),
      ),
    );
  }

  /**
   * Resolves with the oldest ended call not yet taken (each ending is handed out once, in order), or
   * with the call of this id once it has ended.
   */
  nextEnded(callId?: string): Promise<RecordedManifest> {
    const done = callId ? this.ended.get(callId) : this.#untaken.shift();
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.#waiters.push({ callId, resolve }));
  }

  /** Reads a call's stereo WAV back: planes [agent, customer]. */
  audio(callId: string): Int16Array[] {
    return [...readWav(readFileSync(join(this.options.dir, `${callId}.wav`))).planes];
  }

  #save(m: RecordedManifest, planes: readonly Int16Array[]): void {
    writeFileSync(join(this.options.dir, `${m.callId}.wav`), encodeWav(planes));
    writeFileSync(join(this.options.dir, `${m.callId}.json`), JSON.stringify(m, null, 2));
    this.ended.set(m.callId, m);
    const byId = this.#waiters.filter((w) => w.callId === m.callId);
    const anyIndex = this.#waiters.findIndex((w) => !w.callId);
    const any = anyIndex >= 0 ? this.#waiters[anyIndex] : undefined;
    this.#waiters = this.#waiters.filter((w) => w !== any && !byId.includes(w));
    if (any) any.resolve(m);
    else this.#untaken.push(m);
    for (const w of byId) w.resolve(m);
  }
}

class SinkCall implements CallHandle {
  readonly #chunks: [Int16Array[], Int16Array[]] = [[], []];
  readonly #length: [number, number] = [0, 0];
  readonly #gaps: RecordedManifest['gaps'][number][] = [];
  readonly #pauses: { startMs: number; endMs: number; reason: string }[] = [];
  #paused: { startMs: number; reason: string } | undefined;
  #dtmf = 0;
  #objected = false;
  #ended = false;

  constructor(
    readonly callId: string,
    private readonly facts: CallFactsInput,
    private readonly protocol: ProtocolInfo,
    private readonly objectionDigit: string,
    private readonly save: (m: RecordedManifest, planes: readonly Int16Array[]) => void,
  ) {}

  push(channel: Channel, samples: Int16Array): void {
    if (this.#ended || this.#objected) return;
    // R-PCI-1: paused audio keeps the timeline but its content never reaches the file.
    this.#chunks[channel].push(this.#paused ? new Int16Array(samples.length) : samples.slice());
    this.#length[channel] += samples.length;
  }

  pushStereo(interleaved: Int16Array): void {
    const [agent, customer] = deinterleave(interleaved, 2);
    if (agent && customer) {
      this.push(0, agent);
      this.push(1, customer);
    }
  }

  dtmf(digit: string): void {
    this.#dtmf++;
    if (digit === this.objectionDigit) {
      // R-CAL-2: recording stops at once and what was captured is destroyed.
      this.#objected = true;
      this.#chunks[0] = [];
      this.#chunks[1] = [];
      this.#length[0] = this.#length[1] = 0;
    }
  }

  pause(reason: string): void {
    if (!this.#paused) this.#paused = { startMs: this.#nowMs(), reason };
  }

  resume(): void {
    if (this.#paused) this.#pauses.push({ ...this.#paused, endMs: this.#nowMs() });
    this.#paused = undefined;
  }

  gap(ms: number, kind: GapKind, channel?: Channel): void {
    const channels: Channel[] = channel === undefined ? [0, 1] : [channel];
    const atMs = channel === undefined ? this.#nowMs() : (this.#length[channel] * 1000) / 8000;
    this.#gaps.push({ atMs, ms, kind, channel: channel ?? 'both' });
    for (const c of channels) this.push(c, new Int16Array(Math.round(ms * 8)));
  }

  end(reason: EndReason): Promise<void> {
    if (this.#ended) return Promise.resolve();
    this.resume();
    this.#ended = true;
    const frames = Math.max(this.#length[0], this.#length[1]);
    const planes = this.#chunks.map((chunks) => {
      const p = new Int16Array(frames);
      let at = 0;
      for (const c of chunks) {
        p.set(c, at);
        at += c.length;
      }
      return p;
    });
    const { customerNumber, ...facts } = this.facts;
    this.save(
      {
        callId: this.callId,
        protocol: this.protocol,
        facts,
        hadCustomerNumber: customerNumber !== undefined,
        durationMs: (frames * 1000) / 8000,
        gaps: this.#gaps,
        pauses: this.#pauses,
        dtmfCount: this.#dtmf,
        objected: this.#objected,
        endReason: reason,
      },
      planes,
    );
    return Promise.resolve();
  }

  #nowMs(): number {
    return (Math.max(this.#length[0], this.#length[1]) * 1000) / 8000;
  }
}
