import { fail } from '../errors.ts';
import { DtmfMasker, type DtmfMaskerOptions } from './dtmf.masker.ts';
import { MediaErrors } from './errors.ts';
import { decodeG711, linearToUlaw } from './g711.ts';
import { PauseGate } from './pause.gate.ts';
import {
  blockFromBuffer,
  type BlockSink,
  type DigitSource,
  type PipelineEvent,
  type PipelineEvents,
  type StereoBlock,
} from './pipeline.types.ts';
import { SegmentTracker } from './timeline.ts';

export type { BlockSink, StereoBlock, PipelineEvents } from './pipeline.types.ts';

const RATE = 8000;

/** µ-law code of every PCM16 value (64 KiB, shared): a table read instead of a loop per sample. */
const ULAW_OF = new Uint8Array(65536);
for (let v = -32768; v < 32768; v++) ULAW_OF[v & 0xffff] = linearToUlaw(v);

export interface PipelineOptions {
  /** 2 = agent on channel 0, customer on channel 1; 1 = one mixed channel. Default 2. */
  readonly channels?: 1 | 2;
  /** Block length in ms; default 100. */
  readonly blockMs?: number;
  /** How long a block waits for a lagging channel before its missing part becomes silence; default 200 ms. */
  readonly maxSkewMs?: number;
  /** How far ahead of the output audio may arrive before older blocks are forced out; default 1000 ms. */
  readonly windowMs?: number;
  /** Look-ahead of the DTMF masker (R-PCI-2), rounded up to whole blocks; default 100 ms. */
  readonly maskDelayMs?: number;
  readonly masker?: Omit<DtmfMaskerOptions, 'delaySamples' | 'onDigit' | 'onMasked'>;
  /** R-CAL-2: the key that objects to the recording ('0'–'9', '*', '#'); none by default. */
  readonly objectionKey?: string;
  /** Channels whose keys count as the caller's objection; default the customer's (1, or 0 when mono). */
  readonly objectionChannels?: readonly number[];
}

type Listener<E extends PipelineEvent> = (ev: PipelineEvents[E]) => void;

/**
 * One call's media pipeline (DESIGN.md "The flow of one call"): decode → DTMF masking (R-PCI-2) → pause
 * gate (R-PCI-1) → fan-out to sinks, on a true timeline. Channels are placed by sample index, gaps become
 * silence, and blocks of `blockMs` leave when every channel has covered them (or one channel is
 * `maxSkewMs` ahead). Pure and synchronous: it runs in an RTP worker or on the main thread for WebSocket
 * adapters alike.
 */
export class CallMediaPipeline {
  readonly channels: 1 | 2;
  readonly blockSamples: number;
  readonly #skew: number;
  readonly #cap: number;
  readonly #ring: Int16Array[];
  readonly #filled: Uint8Array[];
  readonly #hi: number[];
  readonly #scratch: Int16Array[];
  readonly #decode = new Int16Array(2048);
  readonly #maskers: DtmfMasker[];
  readonly #delay: number;
  readonly #gate = new PauseGate();
  readonly #segments: SegmentTracker;
  readonly #sinks = new Set<BlockSink>();
  readonly #listeners: { [E in PipelineEvent]: Set<Listener<E>> } = {
    dtmf: new Set(),
    objection: new Set(),
    segment: new Set(),
    sinkError: new Set(),
  };
  readonly #objectionKey: string | undefined;
  readonly #objectionChannels: readonly number[];
  #next = 0;
  #seq = 0;
  #closed = false;
  #objected = false;
  /** Samples that arrived after their block had left (counted, dropped). */
  lateSamples = 0;

  constructor(opts: PipelineOptions = {}) {
    this.channels = opts.channels ?? 2;
    this.blockSamples = Math.round(((opts.blockMs ?? 100) * RATE) / 1000);
    const b = this.blockSamples;
    this.#skew = Math.round(((opts.maxSkewMs ?? 200) * RATE) / 1000);
    this.#cap = Math.ceil(Math.round(((opts.windowMs ?? 1000) * RATE) / 1000) / b) * b + b;
    this.#delay = Math.ceil(((opts.maskDelayMs ?? 100) * RATE) / 1000 / b) * b;
    this.#objectionKey = opts.objectionKey;
    this.#objectionChannels = opts.objectionChannels ?? [this.channels === 2 ? 1 : 0];
    this.#segments = new SegmentTracker((s) => this.#emit('segment', s));
    const chans = [...Array(this.channels).keys()];
    this.#ring = chans.map(() => new Int16Array(this.#cap));
    this.#filled = chans.map(() => new Uint8Array(this.#cap));
    this.#hi = chans.map(() => 0);
    this.#scratch = chans.map(() => new Int16Array(b));
    this.#maskers = chans.map(
      (ch) =>
        new DtmfMasker({
          ...opts.masker,
          delaySamples: this.#delay,
          onDigit: (digit, start) => this.#digit(ch, digit, start, 'inband'),
          onMasked: (start, end) => this.#segments.add('masked', ch, start, end),
        }),
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  get paused(): boolean {
    return this.#gate.paused;
  }

  get objected(): boolean {
    return this.#objected;
  }

  /** The newest sample index any channel has reached: "now" on the timeline. */
  get head(): number {
    return Math.max(...this.#hi);
  }

  addSink(sink: BlockSink): () => void {
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  on<E extends PipelineEvent>(event: E, fn: Listener<E>): () => void {
    (this.#listeners[event] as Set<Listener<E>>).add(fn);
    return () => (this.#listeners[event] as Set<Listener<E>>).delete(fn);
  }

  /** Places PCM16 `samples[start, end)` of `channel` at timeline sample `index`. */
  push(channel: number, samples: Int16Array, index: number, start = 0, end = samples.length): void {
    if (this.#closed) return;
    if (channel < 0 || channel >= this.channels) throw fail(MediaErrors.BAD_CHANNEL, undefined, { channel });
    if (index < this.#next) {
      const cut = Math.min(end - start, this.#next - index);
      this.lateSamples += cut;
      start += cut;
      index += cut;
    }
    if (start >= end) return;
    while (index + (end - start) > this.#next + this.#cap) this.#assemble();
    // R-PCI-1: audio that arrives after the pause point is dropped here, before it is stored anywhere.
    let open = index;
    const stop = index + (end - start);
    this.#gate.forEachIn(index, stop, (a, b) => {
      this.#write(channel, samples, start + (open - index), open, a - open);
      open = b;
    });
    this.#write(channel, samples, start + (open - index), open, stop - open);
    if (stop > (this.#hi[channel] as number)) this.#hi[channel] = stop;
    this.#emitReady();
  }

  /** Decodes G.711 `bytes[offset, offset+length)` and pushes it (one byte per sample). */
  pushG711(
    channel: number,
    law: 'pcmu' | 'pcma',
    bytes: Uint8Array,
    index: number,
    offset = 0,
    length = bytes.length - offset,
  ): void {
    for (let done = 0; done < length;) {
      const n = Math.min(this.#decode.length, length - done);
      decodeG711(law, bytes.subarray(offset + done, offset + done + n), this.#decode);
      this.push(channel, this.#decode, index + done, 0, n);
      done += n;
    }
  }

  /** An RFC 4733 digit: never stored, only checked for the objection key (R-PCI-2, R-CAL-2). */
  telephoneEvent(channel: number, digit: string, index = this.head): void {
    this.#digit(channel, digit, index, 'rfc4733');
  }

  /** Moves the timeline to `index` as if every channel had sent silence (wall-clock tick when nothing arrives). */
  advanceTo(index: number): void {
    if (this.#closed) return;
    for (let ch = 0; ch < this.channels; ch++) if (index > (this.#hi[ch] as number)) this.#hi[ch] = index;
    this.#emitReady();
  }

  /** R-PCI-1: pauses from the timeline head on (or from `at`). */
  pause(at = this.head): void {
    this.#gate.pause(Math.max(at, this.#next));
  }

  resume(at = this.head): void {
    this.#gate.resume(at);
  }

  /** Emits what remains up to the head, closes segments; synchronous and idempotent. */
  close(): void {
    if (this.#closed) return;
    const end = this.head;
    while (this.#next < end) this.#assemble(end);
    for (const m of this.#maskers) m.flush();
    while (this.#next - this.#delay < end) this.#assemble(end);
    this.#closed = true;
    this.#segments.flushAll();
    this.#sinks.clear();
    for (const set of Object.values(this.#listeners)) set.clear();
  }

  #write(ch: number, src: Int16Array, from: number, index: number, n: number): void {
    if (n <= 0) return;
    const ring = this.#ring[ch] as Int16Array;
    const filled = this.#filled[ch] as Uint8Array;
    const cap = this.#cap;
    let p = index % cap;
    for (let i = 0; i < n; i++) {
      ring[p] = src[from + i] as number;
      filled[p] = 1;
      if (++p === cap) p = 0;
    }
  }

  #emitReady(): void {
    const blockEnd = (): number => this.#next + this.blockSamples;
    while (!this.#closed && (Math.min(...this.#hi) >= blockEnd() || this.head >= blockEnd() + this.#skew)) {
      this.#assemble();
    }
  }

  /** Takes the next block out of the ring, masks it, and outputs the block the delay line releases. */
  #assemble(limit = Infinity): void {
    const b = this.blockSamples;
    const start = this.#next;
    for (let ch = 0; ch < this.channels; ch++) {
      const ring = this.#ring[ch] as Int16Array;
      const filled = this.#filled[ch] as Uint8Array;
      const out = this.#scratch[ch] as Int16Array;
      const p = start % this.#cap;
      out.set(ring.subarray(p, p + b));
      if (start < limit) this.#markLost(ch, filled, p, start, Math.min(this.blockSamples, limit - start));
      ring.fill(0, p, p + b);
      filled.fill(0, p, p + b);
      (this.#maskers[ch] as DtmfMasker).process(out);
    }
    this.#next += b;
    const outStart = start - this.#delay;
    if (outStart >= 0 && outStart < limit) this.#output(outStart, Math.min(b, limit - outStart));
  }

  #markLost(ch: number, filled: Uint8Array, p: number, start: number, n: number): void {
    let run = -1;
    for (let i = 0; i <= n; i++) {
      const hole = i < n && filled[p + i] === 0 && !this.#gate.isPaused(start + i);
      if (hole && run < 0) run = i;
      else if (!hole && run >= 0) {
        this.#segments.add('lost', ch, start + run, start + i);
        run = -1;
      }
    }
  }

  #output(start: number, frames: number): void {
    let paused = false;
    // R-PCI-1: a paused range of the block is silence whatever the delay line held.
    this.#gate.forEachIn(start, start + frames, (a, b) => {
      paused = true;
      for (const s of this.#scratch) s.fill(0, a - start, b - start);
      this.#segments.add('paused', -1, a, b);
    });
    let at = start;
    while (at < start + frames) {
      const open = this.#gate.nextOpen(at, start + frames);
      if (open > at) at = open;
      else {
        let e = at + 1;
        while (e < start + frames && !this.#gate.isPaused(e)) e++;
        this.#segments.add('recorded', -1, at, e);
        at = e;
      }
    }
    this.#segments.flushBefore(start);
    this.#gate.prune(start);
    if (this.#objected) return;
    const block = this.#makeBlock(start, frames, paused);
    for (const sink of this.#sinks) {
      try {
        sink.onBlock(block);
      } catch (error) {
        this.#emit('sinkError', { error });
      }
    }
  }

  #makeBlock(start: number, frames: number, paused: boolean): StereoBlock {
    const ch = this.channels;
    const n = frames * ch;
    const buffer = new ArrayBuffer(n * 3);
    const block = blockFromBuffer(
      {
        seq: this.#seq++,
        startSample: start,
        startMs: Math.round((start * 1000) / RATE),
        frames,
        channels: ch,
        format: ch === 2 ? 'pcmu/8000/2' : 'pcmu/8000/1',
        paused,
      },
      buffer,
    );
    for (let c = 0; c < ch; c++) {
      const src = this.#scratch[c] as Int16Array;
      for (let i = 0; i < frames; i++) {
        const v = src[i] as number;
        block.pcm[i * ch + c] = v;
        block.pcmu[i * ch + c] = ULAW_OF[v & 0xffff] as number;
      }
    }
    return block;
  }

  #digit(channel: number, digit: string, index: number, source: DigitSource): void {
    // Keys typed during a pause are card data (R-PCI-1): they are not even read for an objection.
    if (this.#objected || this.#gate.isPaused(index) || this.#gate.paused) return;
    const atMs = Math.round((Math.max(0, index) * 1000) / RATE);
    this.#emit('dtmf', { channel, atMs, source });
    if (digit === this.#objectionKey && this.#objectionChannels.includes(channel)) {
      this.#objected = true;
      this.#emit('objection', { channel, atMs, source });
    }
  }

  #emit<E extends PipelineEvent>(event: E, ev: PipelineEvents[E]): void {
    for (const fn of this.#listeners[event] as Set<Listener<E>>) {
      try {
        fn(ev);
      } catch (error) {
        if (event !== 'sinkError') this.#emit('sinkError', { error });
      }
    }
  }
}
