import { fail } from '../errors.ts';
import { DtmfMasker, type DtmfMaskerOptions } from './dtmf.masker.ts';
import { MediaErrors } from './errors.ts';
import { g711DecodeTable, linearToUlaw } from './g711.ts';
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
/** Largest run one push places at once (a longer G.711 payload is split): well inside the ring window. */
const MAX_RUN = 2048;

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
    let h = this.#hi[0] as number;
    for (let ch = 1; ch < this.channels; ch++) h = Math.max(h, this.#hi[ch] as number);
    return h;
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
    this.#place(channel, index, start, end, samples, undefined, undefined);
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
    const table = g711DecodeTable(law);
    for (let done = 0; done < length; done += MAX_RUN) {
      const n = Math.min(MAX_RUN, length - done);
      this.#place(channel, index + done, offset + done, offset + done + n, undefined, bytes, table);
    }
  }

  /**
   * Places `src[start, end)` of `channel` at timeline sample `index`: PCM16 from `pcm`, or G.711 codes
   * from `codes` decoded through `table` as they are written (no intermediate buffer).
   */
  #place(
    channel: number,
    index: number,
    start: number,
    end: number,
    pcm: Int16Array | undefined,
    codes: Uint8Array | undefined,
    table: Int16Array | undefined,
  ): void {
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
    const stop = index + (end - start);
    if (this.#gate.empty) this.#write(channel, pcm, codes, table, start, index, stop - index);
    else {
      // R-PCI-1: audio that arrives after the pause point is dropped here, before it is stored anywhere.
      let open = index;
      this.#gate.forEachIn(index, stop, (a, b) => {
        this.#write(channel, pcm, codes, table, start + (open - index), open, a - open);
        open = b;
      });
      this.#write(channel, pcm, codes, table, start + (open - index), open, stop - open);
    }
    if (stop > (this.#hi[channel] as number)) this.#hi[channel] = stop;
    this.#emitReady();
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

  #write(
    ch: number,
    pcm: Int16Array | undefined,
    codes: Uint8Array | undefined,
    table: Int16Array | undefined,
    from: number,
    index: number,
    n: number,
  ): void {
    const ring = this.#ring[ch] as Int16Array;
    const filled = this.#filled[ch] as Uint8Array;
    const cap = this.#cap;
    // At most two runs: up to the end of the ring, then from its start.
    while (n > 0) {
      const p = index % cap;
      const run = Math.min(n, cap - p);
      if (pcm) for (let i = 0; i < run; i++) ring[p + i] = pcm[from + i] as number;
      else if (codes && table)
        for (let i = 0; i < run; i++) ring[p + i] = table[codes[from + i] as number] as number;
      filled.fill(1, p, p + run);
      from += run;
      index += run;
      n -= run;
    }
  }

  #emitReady(): void {
    const hi = this.#hi;
    while (!this.#closed) {
      const blockEnd = this.#next + this.blockSamples;
      let lo = hi[0] as number;
      let head = lo;
      for (let ch = 1; ch < this.channels; ch++) {
        lo = Math.min(lo, hi[ch] as number);
        head = Math.max(head, hi[ch] as number);
      }
      if (lo < blockEnd && head < blockEnd + this.#skew) return;
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

  /** Records the holes of a block (no sample arrived, not paused) as `lost` segments. */
  #markLost(ch: number, filled: Uint8Array, p: number, start: number, n: number): void {
    const view = filled.subarray(p, p + n);
    let a = view.indexOf(0);
    while (a >= 0) {
      let b = view.indexOf(1, a);
      if (b < 0) b = n;
      if (this.#gate.empty) this.#segments.add('lost', ch, start + a, start + b);
      else {
        // Paused samples are not lost: the hole is split around them.
        let at = start + a;
        while (at < start + b) {
          at = this.#gate.nextOpen(at, start + b);
          if (at >= start + b) break;
          const e = this.#gate.nextPaused(at, start + b);
          this.#segments.add('lost', ch, at, e);
          at = e;
        }
      }
      a = b < n ? view.indexOf(0, b) : -1;
    }
  }

  #output(start: number, frames: number): void {
    let paused = false;
    // R-PCI-1: a paused range of the block is silence whatever the delay line held.
    if (!this.#gate.empty)
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
        const e = this.#gate.nextPaused(at + 1, start + frames);
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
    const { pcm, pcmu } = block;
    for (let c = 0; c < ch; c++) {
      const src = this.#scratch[c] as Int16Array;
      for (let i = 0, o = c; i < frames; i++, o += ch) {
        const v = src[i] as number;
        pcm[o] = v;
        pcmu[o] = ULAW_OF[v & 0xffff] as number;
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
