import type { Segment } from './timeline.ts';

/**
 * One block of call audio on the timeline, as every sink receives it. `pcmu` is the vault spool's format
 * ('pcmu/8000/2': sample i of channel 0, then of channel 1); `pcm` is the same audio in PCM16 for
 * analytics. Both views share `buffer`, so a worker can transfer a block without copying it.
 */
export interface StereoBlock {
  /** Block number in the call, from 0. */
  readonly seq: number;
  /** Index of the first sample on the call timeline (8 kHz). */
  readonly startSample: number;
  /** `startSample` in ms from the timeline origin. */
  readonly startMs: number;
  /** Samples per channel. */
  readonly frames: number;
  readonly channels: 1 | 2;
  readonly format: 'pcmu/8000/2' | 'pcmu/8000/1';
  readonly pcmu: Uint8Array;
  readonly pcm: Int16Array;
  /** True when part of the block was paused (R-PCI-1); that part is digital silence. */
  readonly paused: boolean;
  readonly buffer: ArrayBuffer;
}

/** A consumer of blocks: the recording writer, live listeners, analytics. */
export interface BlockSink {
  onBlock(block: StereoBlock): void;
}

export type DigitSource = 'inband' | 'rfc4733';

export interface PipelineEvents {
  /** A DTMF key was seen; the digit itself goes only to the objection check (R-PCI-2). */
  dtmf: { readonly channel: number; readonly atMs: number; readonly source: DigitSource };
  /** R-CAL-2: the caller pressed the objection key; no block is sent after this. */
  objection: { readonly channel: number; readonly atMs: number; readonly source: DigitSource };
  segment: Segment;
  /** A sink or listener threw; media went on. */
  sinkError: { readonly error: unknown };
}

export type PipelineEvent = keyof PipelineEvents;

/**
 * Rebuilds a block's views around its buffer (after a worker transfer). Fields are copied one by one:
 * an object spread here cost more than allocating the block's buffer (ten blocks per call per second).
 */
export function blockFromBuffer(
  meta: Omit<StereoBlock, 'pcm' | 'pcmu' | 'buffer'>,
  buffer: ArrayBuffer,
): StereoBlock {
  const n = meta.frames * meta.channels;
  return {
    seq: meta.seq,
    startSample: meta.startSample,
    startMs: meta.startMs,
    frames: meta.frames,
    channels: meta.channels,
    format: meta.format,
    paused: meta.paused,
    buffer,
    pcm: new Int16Array(buffer, 0, n),
    pcmu: new Uint8Array(buffer, n * 2, n),
  };
}
