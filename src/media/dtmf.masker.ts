import { DtmfDetector, type DtmfDetectorOptions } from './dtmf.detector.ts';

/**
 * R-PCI-2: replaces in-band DTMF with silence before anything is written. The masker is a delay line:
 * it outputs each sample `delaySamples` after it came in, and the detector sees the input first, so by
 * the time a tone's first samples leave the line the tone is confirmed and they are zeroed, together with
 * a guard before and after so that no DTMF energy remains at the edges.
 */
export interface DtmfMaskerOptions {
  /** Delay of the line in samples; default 800 (100 ms). Must cover the guard plus the detector latency. */
  readonly delaySamples?: number;
  /** Silence added before a detected tone, in ms; default 20. */
  readonly guardBeforeMs?: number;
  /** Silence added after a detected tone, in ms; default 30. */
  readonly guardAfterMs?: number;
  readonly detector?: DtmfDetectorOptions;
  /** A digit was detected: handed to the objection check only (never stored). */
  readonly onDigit?: (digit: string, start: number) => void;
  /** A range of output samples [start, end) was replaced by silence. */
  readonly onMasked?: (start: number, end: number) => void;
}

/** Scratch of the swap, shared by every masker of the thread (process is synchronous). */
let swapScratch = new Int16Array(0);

function swapBuffer(n: number): Int16Array {
  if (swapScratch.length < n) swapScratch = new Int16Array(n);
  return swapScratch;
}

interface Span {
  start: number;
  end: number;
}

export class DtmfMasker {
  readonly #line: Int16Array;
  readonly #detector: DtmfDetector;
  readonly #spans: Span[] = [];
  readonly #guardBefore: number;
  readonly #guardAfter: number;
  readonly #onMasked: ((start: number, end: number) => void) | undefined;
  #pos = 0;
  /** Absolute index of the next input sample. */
  #in = 0;

  constructor(opts: DtmfMaskerOptions = {}) {
    const delay = opts.delaySamples ?? 800;
    this.#guardBefore = Math.round((opts.guardBeforeMs ?? 20) * 8);
    this.#guardAfter = Math.round((opts.guardAfterMs ?? 30) * 8);
    this.#onMasked = opts.onMasked;
    this.#detector = new DtmfDetector(
      {
        onStart: (digit, start) => {
          this.#spans.push({ start: start - this.#guardBefore, end: Infinity });
          opts.onDigit?.(digit, start);
        },
        onEnd: (_digit, end) => {
          const last = this.#spans[this.#spans.length - 1];
          if (last) last.end = end + this.#guardAfter;
        },
      },
      opts.detector,
    );
    if (delay < this.#detector.confirmLatencySamples + this.#guardBefore) {
      throw new RangeError('DTMF masker delay shorter than detection latency plus guard');
    }
    this.#line = new Int16Array(delay);
  }

  get delaySamples(): number {
    return this.#line.length;
  }

  /**
   * Feeds `block` in and replaces it, in place, with the delayed and masked output. The output's first
   * sample has absolute index (input index - delaySamples); the line starts filled with silence.
   */
  process(block: Int16Array, start = 0, end = block.length): void {
    this.#detector.push(block, start, end);
    const line = this.#line;
    let p = this.#pos;
    // Swaps the input with the line's content, in at most two runs of native copies.
    for (let i = start; i < end;) {
      const n = Math.min(end - i, line.length - p);
      const swap = swapBuffer(n);
      swap.set(line.subarray(p, p + n));
      line.set(block.subarray(i, i + n), p);
      block.set(swap.subarray(0, n), i);
      i += n;
      p += n;
      if (p === line.length) p = 0;
    }
    this.#pos = p;
    const outStart = this.#in - line.length;
    this.#in += end - start;
    this.#mask(block, start, outStart, outStart + (end - start));
  }

  /** Ends any tone in progress (call end) so its trailing guard is applied to what remains in the line. */
  flush(): void {
    this.#detector.flush();
  }

  #mask(block: Int16Array, offset: number, from: number, to: number): void {
    for (const s of this.#spans) {
      const a = Math.max(from, s.start);
      const b = Math.min(to, s.end);
      if (a >= b) continue;
      block.fill(0, offset + (a - from), offset + (b - from));
      this.#onMasked?.(a, b);
    }
    while (this.#spans.length > 0 && (this.#spans[0] as Span).end <= to) this.#spans.shift();
  }
}
