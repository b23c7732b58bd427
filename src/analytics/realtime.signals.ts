/**
 * Real-time signals for supervisors listening live (R-EMP-6 governs who may): a BlockSink fed with the
 * pipeline's StereoBlocks, downstream of the pause gate. It emits, once per episode:
 * - `long_silence`: neither party talks for `longSilenceMs` (default 8 s);
 * - `overtalk_burst`: both talk at once for `overtalkMs` (default 1.5 s);
 * - `raised_level`: the customer's speech stays `raisedDb` (default 8 dB) above their own running level
 *   for `sustainMs` (default 3 s) of speech.
 * R-PCI-1: a block that is (partly) paused is not analysed, and a pause breaks every running episode.
 * CPU only, no allocation per block; a listener that throws is reported, never propagated to media.
 */
import type { BlockSink, StereoBlock } from '../media/pipeline.types.ts';
import { FRAME_MS, FRAME_SAMPLES, FrameClassifier, type VadOptions } from './vad.ts';

export type LiveSignal =
  | { readonly kind: 'long_silence'; readonly atMs: number; readonly durationMs: number }
  | { readonly kind: 'overtalk_burst'; readonly atMs: number; readonly durationMs: number }
  | {
      readonly kind: 'raised_level';
      readonly atMs: number;
      readonly durationMs: number;
      readonly aboveDb: number;
    };

export interface SignalOptions extends VadOptions {
  readonly longSilenceMs?: number;
  readonly overtalkMs?: number;
  readonly raisedDb?: number;
  readonly sustainMs?: number;
  /** Customer speech needed before a baseline exists (default 3 s). */
  readonly baselineMs?: number;
}

const FS2 = 32768 * 32768;

export class LiveSignals implements BlockSink {
  readonly #emit: (s: LiveSignal) => void;
  readonly #onError: (e: unknown) => void;
  readonly #o: Required<Omit<SignalOptions, keyof VadOptions>>;
  readonly #cls: [FrameClassifier, FrameClassifier];
  // Per-channel frame accumulators (blocks need not be a multiple of 10 ms).
  readonly #e = [0, 0];
  readonly #zc = [0, 0];
  readonly #prev = [0, 0];
  #n = 0;
  #frameStartMs = 0;
  // Episodes, in frames.
  #silence = 0;
  #overtalk = 0;
  #silenceSent = false;
  #overtalkSent = false;
  #speechFrames = 0;
  #baseDb = 0;
  #shortDb = -100;
  #raised = 0;
  #calm = 0;
  #raisedSent = false;

  constructor(
    emit: (s: LiveSignal) => void,
    o: SignalOptions = {},
    onError: (e: unknown) => void = () => undefined,
  ) {
    this.#emit = emit;
    this.#onError = onError;
    this.#cls = [new FrameClassifier(o), new FrameClassifier(o)];
    this.#o = {
      longSilenceMs: o.longSilenceMs ?? 8000,
      overtalkMs: o.overtalkMs ?? 1500,
      raisedDb: o.raisedDb ?? 8,
      sustainMs: o.sustainMs ?? 3000,
      baselineMs: o.baselineMs ?? 3000,
    };
  }

  onBlock(b: StereoBlock): void {
    if (b.paused || b.channels !== 2) {
      this.#reset(); // R-PCI-1: nothing of a paused block is read
      return;
    }
    const pcm = b.pcm;
    for (let i = 0; i < b.frames; i++) {
      if (this.#n === 0) this.#frameStartMs = b.startMs + i / 8;
      for (let c = 0; c < 2; c++) {
        const v = pcm[i * 2 + c] as number;
        this.#e[c] = (this.#e[c] as number) + v * v;
        if ((v ^ (this.#prev[c] as number)) < 0) this.#zc[c] = (this.#zc[c] as number) + 1;
        this.#prev[c] = v;
      }
      if (++this.#n === FRAME_SAMPLES) this.#frame();
    }
  }

  #reset(): void {
    this.#e[0] = this.#e[1] = this.#zc[0] = this.#zc[1] = this.#n = 0;
    this.#silence = this.#overtalk = this.#raised = this.#calm = 0;
    this.#silenceSent = this.#overtalkSent = this.#raisedSent = false;
  }

  #frame(): void {
    const ms0 = (this.#e[0] as number) / FRAME_SAMPLES;
    const ms1 = (this.#e[1] as number) / FRAME_SAMPLES;
    const a = this.#cls[0].classify(ms0, (this.#zc[0] as number) / FRAME_SAMPLES);
    const c = this.#cls[1].classify(ms1, (this.#zc[1] as number) / FRAME_SAMPLES);
    this.#e[0] = this.#e[1] = this.#zc[0] = this.#zc[1] = this.#n = 0;
    const end = this.#frameStartMs + FRAME_MS;
    this.#silence = !a && !c ? this.#silence + 1 : 0;
    if (this.#silence === 0) this.#silenceSent = false;
    this.#overtalk = a && c ? this.#overtalk + 1 : 0;
    if (this.#overtalk === 0) this.#overtalkSent = false;
    if (!this.#silenceSent && this.#silence * FRAME_MS >= this.#o.longSilenceMs) {
      this.#silenceSent = true;
      this.#send({ kind: 'long_silence', atMs: end, durationMs: this.#silence * FRAME_MS });
    }
    if (!this.#overtalkSent && this.#overtalk * FRAME_MS >= this.#o.overtalkMs) {
      this.#overtalkSent = true;
      this.#send({ kind: 'overtalk_burst', atMs: end, durationMs: this.#overtalk * FRAME_MS });
    }
    if (c) this.#customerLevel(10 * Math.log10(ms1 / FS2 + 1e-12), end);
  }

  /** The customer's short-term level (≈100 ms) against their running baseline (≈2 s, frozen while raised). */
  #customerLevel(db: number, end: number): void {
    this.#speechFrames++;
    this.#shortDb = this.#speechFrames === 1 ? db : this.#shortDb + 0.1 * (db - this.#shortDb);
    const warm = this.#speechFrames * FRAME_MS >= this.#o.baselineMs;
    const above = this.#shortDb - this.#baseDb;
    if (warm && above >= this.#o.raisedDb) {
      this.#raised++;
      this.#calm = 0;
    } else {
      this.#baseDb = this.#speechFrames === 1 ? db : this.#baseDb + 0.005 * (db - this.#baseDb);
      if (++this.#calm * FRAME_MS >= 500) {
        this.#raised = 0;
        this.#raisedSent = false;
      }
    }
    if (!this.#raisedSent && this.#raised * FRAME_MS >= this.#o.sustainMs) {
      this.#raisedSent = true;
      this.#send({
        kind: 'raised_level',
        atMs: end,
        durationMs: this.#raised * FRAME_MS,
        aboveDb: Math.round(above * 10) / 10,
      });
    }
  }

  #send(s: LiveSignal): void {
    try {
      this.#emit(s);
    } catch (e) {
      this.#onError(e);
    }
  }
}
