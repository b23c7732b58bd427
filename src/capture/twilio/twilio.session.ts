/**
 * One Twilio Media Stream: `connected` → `start` (decide; close at once if not recorded) → `media`/`dtmf`/
 * `mark` → `stop`. Tracks map to channels: inbound = customer, outbound = agent. Timestamps (ms from the
 * stream start, per track) reveal lost chunks, which become gaps so that both channels stay aligned.
 */
import { decodeG711 } from '../../media/g711.ts';
import { fail, type EcouteError } from '../../errors.ts';
import { AGENT, CUSTOMER, type CallHandle, type Channel } from '../capture.port.ts';
import { factsFromParameters } from '../ws/facts.params.ts';
import { CLOSE, closeReason } from '../ws/serial.gate.ts';
import type { IngestDeps, SessionSocket } from '../ws/ws.types.ts';
import { TwilioErrors } from './errors.ts';
import { parseTwilioMessage, type TwilioMessage } from './twilio.messages.ts';

/** A timestamp further than this ahead of the audio received on a track means chunks were lost. */
const GAP_TOLERANCE_MS = 20;

const CLOSE_FOR: Readonly<Record<string, number>> = {
  [TwilioErrors.MALFORMED.code]: CLOSE.invalidPayload,
  [TwilioErrors.UNKNOWN_EVENT.code]: CLOSE.unsupportedData,
  [TwilioErrors.BINARY_FRAME.code]: CLOSE.unsupportedData,
  [TwilioErrors.MEDIA_FORMAT.code]: CLOSE.unsupportedData,
};

export class TwilioSession {
  #state: 'waiting' | 'starting' | 'recording' | 'closed' = 'waiting';
  #handle: CallHandle | undefined;
  #lastSeq = 0;
  #stopped = false;
  readonly #samples: [number, number] = [0, 0];

  constructor(
    private readonly deps: IngestDeps,
    private readonly socket: SessionSocket,
  ) {}

  onText(text: string): void | Promise<void> {
    if (this.#state === 'closed') return;
    const parsed = parseTwilioMessage(text);
    if (!parsed.ok) return this.#abort(parsed.error);
    return this.#dispatch(parsed.value);
  }

  onBinary(): void | Promise<void> {
    if (this.#state !== 'closed') return this.#abort(fail(TwilioErrors.BINARY_FRAME));
  }

  /** The socket closed: a stream that ended without `stop` vanished; what was captured is kept. */
  async onClose(code: number): Promise<void> {
    const wasOpen = this.#state !== 'closed';
    this.#state = 'closed';
    if (wasOpen && this.#handle) {
      if (!this.#stopped) this.deps.log.info({ code }, 'twilio stream vanished');
      await this.#handle.end(this.#stopped ? 'completed' : 'vanished');
    }
  }

  #dispatch(m: TwilioMessage): void | Promise<void> {
    if (m.event === 'connected') return;
    if (m.event === 'start') {
      if (this.#state !== 'waiting') return this.#abort(fail(TwilioErrors.NOT_STARTED, 'second start'));
      this.#lastSeq = m.seq;
      return this.#start(m);
    }
    if (this.#state !== 'recording') {
      return this.#abort(fail(TwilioErrors.NOT_STARTED, `${m.event} before start`));
    }
    if (m.seq !== this.#lastSeq + 1) {
      const error = fail(TwilioErrors.SEQUENCE, `expected sequenceNumber ${this.#lastSeq + 1}, got ${m.seq}`);
      return this.#abort(error);
    }
    this.#lastSeq = m.seq;
    const handle = this.#handle as CallHandle;
    switch (m.event) {
      case 'media':
        return this.#media(handle, m.track === 'inbound' ? CUSTOMER : AGENT, m.timestampMs, m.payload);
      case 'dtmf':
        return handle.dtmf(m.digit); // R-CAL-2 objection and R-PCI-2 masking happen in the recorder
      case 'mark':
        return;
      case 'stop':
        this.#stopped = true;
        return this.#finish(CLOSE.normal, 'stream stopped', 'completed');
    }
  }

  async #start(m: Extract<TwilioMessage, { event: 'start' }>): Promise<void> {
    const f = m.mediaFormat;
    if (f.encoding !== 'audio/x-mulaw' || f.sampleRate !== 8000 || f.channels !== 1) {
      return this.#abort(fail(TwilioErrors.MEDIA_FORMAT, `${f.encoding} ${f.sampleRate} Hz x${f.channels}`));
    }
    const facts = factsFromParameters(m.customParameters, { startedAt: this.deps.clock.now() });
    if (!facts.ok) return this.#abort(facts.error, CLOSE.invalidPayload);
    this.#state = 'starting';
    const ids = { callSid: m.callSid, streamSid: m.streamSid, accountSid: m.accountSid };
    const handle = await this.deps.sink.start(facts.facts, { name: 'twilio', ids });
    // The state may have moved to 'closed' while awaiting (onClose); TypeScript cannot see that.
    if ((this.#state as string) === 'closed') {
      await handle?.end('vanished'); // the client left while the decision was being made
      return;
    }
    if (!handle) {
      // Not recorded: stop the stream right away; nothing was buffered beyond this frame (R-MIN-4).
      this.#state = 'closed';
      this.socket.close(CLOSE.normal, 'call not recorded');
      return;
    }
    this.#handle = handle;
    this.#state = 'recording';
  }

  #media(handle: CallHandle, channel: Channel, timestampMs: number, payload: Uint8Array): void {
    const receivedMs = this.#samples[channel] / 8;
    const missingMs = timestampMs - receivedMs;
    if (missingMs >= GAP_TOLERANCE_MS) {
      const ms = Math.floor(missingMs);
      handle.gap(ms, 'lost', channel);
      this.#samples[channel] += ms * 8;
    }
    const pcm = new Int16Array(payload.length);
    decodeG711('pcmu', payload, pcm);
    this.#samples[channel] += pcm.length;
    handle.push(channel, pcm);
  }

  async #finish(code: number, reason: string, end: 'completed' | 'error'): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.socket.close(code, reason);
    await this.#handle?.end(end);
  }

  #abort(error: EcouteError, code?: number): Promise<void> {
    this.deps.log.warn({ code: error.code }, 'twilio stream closed on a protocol error');
    const closeCode = code ?? CLOSE_FOR[error.code] ?? CLOSE.protocolError;
    return this.#finish(closeCode, closeReason(error.code, error.message), 'error');
  }
}
