import type { StereoBlock } from '../../media/pipeline.types.ts';
import type { Segment } from '../../media/timeline.ts';

export type RtpCodec = 'PCMU' | 'PCMA' | 'G722' | 'telephone-event';

/** One SDP m= line to receive. */
export interface RtpStreamSpec {
  /** The SDP `a=label` (SIPREC), kept for stats. */
  readonly label: string;
  /** Pipeline channel: 0 = agent, 1 = customer; default the stream's position. */
  readonly channel?: number;
  readonly payloadTypes: readonly { readonly pt: number; readonly codec: RtpCodec }[];
}

export interface RtpAllocateOptions {
  /** R-CAL-2: the objection key; none by default. */
  readonly objectionKey?: string;
  /** 1 for a single mixed stream; default 2. */
  readonly channels?: 1 | 2;
}

export interface RtpStreamStats {
  readonly label: string;
  /** Audio packets accepted (telephone-events excluded). */
  received: number;
  /** Packets never received (sequence gaps the jitter buffer gave up on). */
  lost: number;
  /** Packets that came after their place had been played out. */
  late: number;
  duplicates: number;
  /** Packets dropped: foreign SSRC, unknown payload type, malformed. */
  strays: number;
  /** RFC 4733 packets, dropped after the objection check (R-PCI-2). */
  events: number;
  /** SSRC changes accepted after the locked source went silent. */
  relocks: number;
}

export interface RtpCallStats {
  readonly streams: readonly RtpStreamStats[];
  readonly lateSamples: number;
}

export interface RtpCallEvents {
  block: StereoBlock;
  /** R-CAL-2: the caller pressed the objection key. No block follows. */
  objection: { readonly channel: number; readonly atMs: number; readonly source: 'inband' | 'rfc4733' };
  segment: Segment;
  stats: RtpCallStats;
  /** The call's media ended (release or worker failure); final stats. */
  end: RtpCallStats;
  error: Error;
}

/** Main thread → worker. */
export type ToWorker =
  | {
      readonly type: 'allocate';
      readonly callId: string;
      readonly ports: readonly number[];
      readonly streams: readonly RtpStreamSpec[];
      readonly options: RtpAllocateOptions;
    }
  | { readonly type: 'pause' | 'resume' | 'release'; readonly callId: string };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'allocated';
      readonly callId: string;
      readonly failedPort?: number;
      readonly error?: string;
    }
  /** The outbox of one worker tick: every call's blocks, segments and stats, in order. */
  | { readonly type: 'batch'; readonly items: readonly BatchItem[] }
  | { readonly type: 'objection'; readonly callId: string; readonly ev: RtpCallEvents['objection'] }
  | { readonly type: 'released'; readonly callId: string; readonly stats: RtpCallStats }
  | { readonly type: 'error'; readonly callId: string; readonly message: string }
  /** A pause or resume took effect (its timeline point is fixed). */
  | { readonly type: 'ack'; readonly callId: string };

/** What a worker batches per tick rather than sending at once. */
export type BatchItem =
  | {
      readonly type: 'block';
      readonly callId: string;
      readonly meta: Omit<StereoBlock, 'pcm' | 'pcmu' | 'buffer'>;
      readonly buffer: ArrayBuffer;
    }
  | { readonly type: 'segment'; readonly callId: string; readonly ev: Segment }
  | { readonly type: 'stats'; readonly callId: string; readonly stats: RtpCallStats };

export interface WorkerOptions {
  readonly bindAddress: string;
  readonly jitterMs: number;
  readonly relockMs: number;
  readonly blockMs: number;
  readonly maxSkewMs: number;
  readonly statsIntervalMs: number;
  /** Drain RTCP at port+1 so senders get no ICMP port-unreachable; default true. */
  readonly drainRtcp: boolean;
}
