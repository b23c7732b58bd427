import { CallMediaPipeline } from '../../media/pipeline.ts';
import type { StereoBlock } from '../../media/pipeline.types.ts';
import type { Segment } from '../../media/timeline.ts';
import { RtpStreamReceiver } from './rtp.stream.ts';
import type { RtpAllocateOptions, RtpCallEvents, RtpCallStats, RtpStreamSpec } from './rtp.types.ts';

/** How far behind wall-clock time the timeline is pushed forward when no packet comes at all. */
const IDLE_ADVANCE_MS = 1000;

export interface RtpCallMediaOptions {
  readonly jitterMs: number;
  readonly relockMs: number;
  readonly blockMs: number;
  readonly maxSkewMs: number;
  readonly statsIntervalMs: number;
}

/** Where a call's media goes: the worker's outbox (or a profiling driver). */
export interface RtpCallOutput {
  block(meta: Omit<StereoBlock, 'pcm' | 'pcmu' | 'buffer'>, buffer: ArrayBuffer): void;
  segment(ev: Segment): void;
  objection(ev: RtpCallEvents['objection']): void;
  error(message: string): void;
  stats(stats: RtpCallStats): void;
}

/**
 * One call's media in an RTP worker, sockets apart: a stream receiver per m= line (SSRC lock, jitter
 * buffer) feeding the call's pipeline (decode, DTMF masking, pause gate), on a timeline whose origin is
 * the call's first packet. The worker hands it datagrams and its clock; `bench/rtp.profile.ts` drives
 * the same object with synthetic packets to profile the per-packet path in-process.
 */
export class RtpCallMedia {
  readonly pipeline: CallMediaPipeline;
  readonly streams: readonly RtpStreamReceiver[];
  #origin: number | undefined;
  #lastStats: number;

  constructor(
    specs: readonly RtpStreamSpec[],
    options: RtpAllocateOptions,
    private readonly opts: RtpCallMediaOptions,
    private readonly out: RtpCallOutput,
    nowMs: number,
  ) {
    this.#lastStats = nowMs;
    const pipeline = new CallMediaPipeline({
      channels: options.channels ?? 2,
      blockMs: opts.blockMs,
      maxSkewMs: opts.maxSkewMs,
      ...(options.objectionKey === undefined ? {} : { objectionKey: options.objectionKey }),
    });
    this.pipeline = pipeline;
    const indexAt = (t: number): number => {
      this.#origin ??= t;
      return Math.round((t - this.#origin) * 8);
    };
    this.streams = specs.map((spec, i) => {
      const channel = Math.min(spec.channel ?? i, pipeline.channels - 1);
      return new RtpStreamReceiver(
        spec,
        {
          audio: (law, buf, off, len, index) => pipeline.pushG711(channel, law, buf, index, off, len),
          digit: (digit, index) => pipeline.telephoneEvent(channel, digit, index),
          indexAt,
        },
        opts.jitterMs,
        opts.relockMs,
      );
    });
    pipeline.addSink({
      onBlock: (b) => {
        // Fields one by one: a rest spread here cost more than the block's own buffer.
        const meta = {
          seq: b.seq,
          startSample: b.startSample,
          startMs: b.startMs,
          frames: b.frames,
          channels: b.channels,
          format: b.format,
          paused: b.paused,
        };
        out.block(meta, b.buffer);
      },
    });
    pipeline.on('segment', (ev) => out.segment(ev));
    pipeline.on('objection', (ev) => out.objection(ev));
    pipeline.on('sinkError', (e) => out.error(String(e.error)));
  }

  /** A datagram for stream `stream` (its m= line), received at `nowMs`. */
  onPacket(stream: number, buf: Uint8Array, nowMs: number): void {
    this.streams[stream]?.onPacket(buf, nowMs);
  }

  /**
   * The worker's clock: releases packets whose gap outlived the jitter window, keeps the timeline
   * moving when the call is silent on both sides, and reports stats every `statsIntervalMs`.
   */
  tick(nowMs: number): void {
    for (const s of this.streams) s.tick(nowMs);
    if (this.#origin !== undefined)
      this.pipeline.advanceTo(Math.round((nowMs - this.#origin - IDLE_ADVANCE_MS) * 8));
    if (nowMs - this.#lastStats >= this.opts.statsIntervalMs) {
      this.#lastStats = nowMs;
      this.out.stats(this.stats());
    }
  }

  stats(): RtpCallStats {
    return { streams: this.streams.map((s) => ({ ...s.stats })), lateSamples: this.pipeline.lateSamples };
  }

  /** Plays out what the jitter buffers hold, emits the last blocks and segments; final stats. */
  close(): RtpCallStats {
    for (const s of this.streams) s.flush();
    this.pipeline.close();
    return this.stats();
  }
}
