/**
 * Live listening over the API's WebSocket (GET /api/calls/:id/listen?purpose=…): a JSON `start` message,
 * then one binary frame of interleaved PCM16 LE per 100 ms, played with WebAudio by scheduling one
 * AudioBufferSourceNode per frame back to back behind a small jitter buffer. The server closes with a
 * code that names the rule which ended the session (R-CAL-2, R-PCI-1, R-PCI-3, R-EMP-4).
 */

export interface LiveHeader {
  readonly type: 'start';
  readonly format: 'pcm_s16le';
  readonly sampleRate: number;
  readonly channels: number;
  readonly channelMap: readonly string[];
  readonly frameMs: number;
}

export interface LiveEnd {
  /** WebSocket close code: 4000 ended, 4001 R-CAL-2, 4002 R-PCI-1, 4003 R-PCI-3, 4004 R-EMP-4, 4008 slow. */
  readonly code: number;
  /** The rule id the close reason starts with, when there is one. */
  readonly rule: string | undefined;
  /** True when the socket never opened (refused before the upgrade, or the network). */
  readonly refused: boolean;
}

export interface LiveHandlers {
  onStart(h: LiveHeader): void;
  /** After each frame: RMS level per channel (0..1) and the audio scheduled so far in ms. */
  onFrame(levels: readonly number[], playedMs: number): void;
  onEnd(end: LiveEnd): void;
}

/** Audio queued ahead of the clock: absorbs network jitter without adding noticeable delay. */
const JITTER_S = 0.15;

export const ruleOfReason = (reason: string): string | undefined => /^(R-[A-Z]+-\d+)/.exec(reason)?.[1];

/** Interleaved PCM16 LE → one Float32Array per channel, and the RMS of each. */
export function deinterleave(
  pcm: Int16Array,
  channels: number,
): { lanes: Float32Array<ArrayBuffer>[]; levels: number[] } {
  const frames = Math.floor(pcm.length / channels);
  const lanes = Array.from({ length: channels }, () => new Float32Array(new ArrayBuffer(frames * 4)));
  const sums = new Array<number>(channels).fill(0);
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < channels; c++) {
      const v = (pcm[i * channels + c] ?? 0) / 32768;
      lanes[c]![i] = v;
      sums[c]! += v * v;
    }
  return { lanes, levels: sums.map((s) => (frames ? Math.sqrt(s / frames) : 0)) };
}

export class LiveSession {
  readonly #ws: WebSocket;
  readonly #ctx: AudioContext;
  readonly #gain: GainNode;
  #header: LiveHeader | undefined;
  #next = 0;
  #playedMs = 0;
  #opened = false;
  #ended = false;

  /** `ctx` must be created in the click handler that joins (browsers' autoplay rule). */
  constructor(callId: string, purpose: string, ctx: AudioContext, handlers: LiveHandlers) {
    this.#ctx = ctx;
    this.#gain = ctx.createGain();
    this.#gain.connect(ctx.destination);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const q = new URLSearchParams({ purpose });
    this.#ws = new WebSocket(
      `${scheme}://${location.host}/api/calls/${encodeURIComponent(callId)}/listen?${q.toString()}`,
    );
    this.#ws.binaryType = 'arraybuffer';
    this.#ws.onopen = () => (this.#opened = true);
    this.#ws.onmessage = (e: MessageEvent<unknown>) => {
      if (typeof e.data === 'string') {
        const h = JSON.parse(e.data) as LiveHeader;
        if (h.type !== 'start') return;
        this.#header = h;
        handlers.onStart(h);
      } else if (e.data instanceof ArrayBuffer && this.#header) {
        handlers.onFrame(this.#play(new Int16Array(e.data), this.#header), this.#playedMs);
      }
    };
    this.#ws.onclose = (e) => {
      if (this.#ended) return;
      this.#ended = true;
      void this.#ctx.close().catch(() => undefined);
      handlers.onEnd({ code: e.code, rule: ruleOfReason(e.reason), refused: !this.#opened });
    };
  }

  #play(pcm: Int16Array, h: LiveHeader): number[] {
    const { lanes, levels } = deinterleave(pcm, h.channels);
    const frames = lanes[0]?.length ?? 0;
    if (frames === 0) return levels;
    const buffer = this.#ctx.createBuffer(h.channels, frames, h.sampleRate);
    lanes.forEach((lane, c) => buffer.copyToChannel(lane, c));
    const src = this.#ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.#gain);
    // Back to back; after an underrun (late frame) restart behind the jitter buffer.
    const at = Math.max(this.#next, this.#ctx.currentTime + JITTER_S);
    src.start(at);
    this.#next = at + buffer.duration;
    this.#playedMs += buffer.duration * 1000;
    return levels;
  }

  setMuted(muted: boolean): void {
    this.#gain.gain.value = muted ? 0 : 1;
  }

  /** Leaves the call (1000: normal closure); idempotent. */
  close(): void {
    if (this.#ws.readyState <= WebSocket.OPEN) this.#ws.close(1000);
  }
}
