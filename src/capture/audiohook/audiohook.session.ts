/**
 * One AudioHook v2 session (PROTOCOLS.md B.4): open → opened (one media format, or none when the call is
 * not recorded or for the connection probe) → audio frames and control messages → close → closed.
 * The server's own errors are `disconnect` messages (reason error/unauthorized), never a bare TCP close.
 */
import { decodeG711 } from '../../media/g711.ts';
import { fail, type EcouteError } from '../../errors.ts';
import { AGENT, CUSTOMER, type CallHandle, type Channel } from '../capture.port.ts';
import { deinterleave } from '../fork/decimator.ts';
import { factsFromParameters } from '../ws/facts.params.ts';
import { CLOSE } from '../ws/serial.gate.ts';
import type { IngestDeps, SessionSocket } from '../ws/ws.types.ts';
import { AudioHookErrors } from './errors.ts';
import {
  PROBE_ID,
  parseClientMessage,
  serverMessage,
  type ClientMessage,
  type MediaFormat,
  type ServerType,
} from './audiohook.messages.ts';

export interface SessionAuth {
  /** The upgrade checks (audiohook.signature.ts) passed. */
  readonly ok: boolean;
  readonly organizationId: string | undefined;
  readonly sessionId: string | undefined;
  /** When the upgrade arrived, ms (the failure delay counts from it). */
  readonly at: number;
}

export interface SessionTimers {
  /** Minimum delay before answering an authentication failure, ms (500). */
  readonly failureDelayMs: number;
  /** How long to wait for the client's `close` after a `disconnect`, ms (10 s). */
  readonly closeTimeoutMs: number;
}

type State = 'new' | 'opening' | 'open' | 'disconnecting' | 'closed';

export class AudioHookSession {
  #state: State = 'new';
  #serverSeq = 0;
  #clientSeq = 0;
  #id: string | undefined;
  #media: MediaFormat | undefined;
  #handle: CallHandle | undefined;
  /** Samples per channel received, plus discarded audio: AudioHook's `position`. */
  #positionSamples = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #disconnectSent = false;

  constructor(
    private readonly deps: IngestDeps,
    private readonly socket: SessionSocket,
    private readonly auth: SessionAuth,
    private readonly timers: SessionTimers,
  ) {}

  get positionMs(): number {
    return this.#positionSamples / 8;
  }

  onText(text: string): void | Promise<void> {
    if (this.#state === 'closed') return;
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.#disconnect('error', parsed.error);
    const m = parsed.value;
    if (m.seq !== this.#clientSeq + 1) {
      const error = fail(AudioHookErrors.SEQUENCE, `expected seq ${this.#clientSeq + 1}, got ${m.seq}`);
      this.#clientSeq = Math.max(this.#clientSeq, m.seq);
      return this.#disconnect('error', error);
    }
    this.#clientSeq = m.seq;
    if (this.#state === 'disconnecting') return m.type === 'close' ? this.#closed() : undefined;
    if (m.type === 'open') return this.#open(m);
    if (this.#state !== 'open' || m.id !== this.#id) {
      return this.#disconnect(
        'error',
        fail(AudioHookErrors.STATE, `${m.type} before open or for another session`),
      );
    }
    return this.#control(m);
  }

  onBinary(data: Buffer): void | Promise<void> {
    if (this.#state === 'disconnecting' || this.#state === 'closed') return;
    const media = this.#media;
    if (this.#state !== 'open' || !media || !this.#handle) {
      return this.#disconnect('error', fail(AudioHookErrors.UNEXPECTED_AUDIO));
    }
    const bytesPerSample = media.format === 'PCMU' ? 1 : 2;
    if (data.length % (bytesPerSample * media.channels.length) !== 0) {
      const error = fail(
        AudioHookErrors.FRAME_SIZE,
        `${data.length} bytes is not whole ${media.format} samples x${media.channels.length}`,
      );
      return this.#disconnect('error', error);
    }
    const pcm = new Int16Array(data.length / bytesPerSample);
    if (media.format === 'PCMU') decodeG711('pcmu', data, pcm);
    else for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2); // L16 little-endian (unverified)
    const planes = media.channels.length === 1 ? [pcm] : deinterleave(pcm, media.channels.length);
    media.channels.forEach((c, i) => this.#handle?.push(channelOf(c), planes[i] as Int16Array));
    this.#positionSamples += planes[0]?.length ?? 0;
  }

  async onClose(code: number): Promise<void> {
    const wasOpen = this.#state !== 'closed';
    this.#state = 'closed';
    clearTimeout(this.#timer);
    if (wasOpen && this.#handle) {
      this.deps.log.info({ code }, 'audiohook session vanished');
      await this.#handle.end('vanished');
    }
  }

  async #open(m: Extract<ClientMessage, { type: 'open' }>): Promise<void> {
    if (this.#state !== 'new') return this.#disconnect('error', fail(AudioHookErrors.STATE, 'second open'));
    this.#id = m.id;
    const p = m.parameters;
    const orgMismatch =
      this.auth.organizationId !== undefined && this.auth.organizationId !== p.organizationId;
    if (!this.auth.ok || orgMismatch || (this.auth.sessionId !== undefined && this.auth.sessionId !== m.id)) {
      return this.#unauthorized();
    }
    if (p.conversationId === PROBE_ID) {
      this.#state = 'open'; // the connection probe: answer, store nothing
      return this.#send('opened', { media: [] });
    }
    const chosen = p.media.find((f) => f?.channels.length === 2) ?? p.media.find((f) => f !== undefined);
    if (!chosen) return this.#disconnect('error', fail(AudioHookErrors.NO_MEDIA));
    const facts = factsFromParameters(p.facts, {
      startedAt: this.deps.clock.now(),
      customerNumber: p.participant.ani,
    });
    if (!facts.ok) return this.#disconnect('error', facts.error);
    this.#state = 'opening';
    const ids = { conversationId: p.conversationId, sessionId: m.id, organizationId: p.organizationId };
    const handle = await this.deps.sink.start(facts.facts, { name: 'audiohook', ids });
    if ((this.#state as State) !== 'opening') {
      await handle?.end('vanished');
      return;
    }
    this.#state = 'open';
    this.#handle = handle;
    this.#media = handle ? chosen : undefined;
    // An empty media list: Genesys sends no audio for a call that is not recorded (R-MIN-4).
    this.#send('opened', { media: handle ? [chosen] : [], startPaused: false });
  }

  #control(m: Exclude<ClientMessage, { type: 'open' }>): void | Promise<void> {
    const handle = this.#handle;
    switch (m.type) {
      case 'ping':
        return this.#send('pong', {});
      case 'update':
        return this.#send('updated', {});
      case 'paused':
        return handle?.pause('audiohook-paused'); // R-PCI-1: secure pause in the Genesys flow
      case 'resumed':
        // Audio withheld during the pause is a discarded gap of the stated length, still paused (R-PCI-1).
        if (m.discardedMs > 0) this.#gap(m.discardedMs);
        return handle?.resume();
      case 'discarded':
        return this.#gap(m.discardedMs);
      case 'error':
        this.deps.log.warn({ code: m.code }, 'audiohook client reported an error');
        return;
      case 'close':
        return this.#closed(m.reason === 'error' ? 'error' : 'completed');
    }
  }

  #gap(ms: number): void {
    this.#handle?.gap(ms, 'discarded');
    this.#positionSamples += Math.round(ms * 8);
  }

  async #closed(end: 'completed' | 'error' = 'completed'): Promise<void> {
    this.#send('closed', {});
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.socket.close(CLOSE.normal, 'closed');
    await this.#handle?.end(end);
  }

  async #disconnect(reason: 'error' | 'unauthorized' | 'completed', error?: EcouteError): Promise<void> {
    if (this.#disconnectSent || this.#state === 'closed') return;
    this.#disconnectSent = true;
    this.#state = 'disconnecting';
    if (error) this.deps.log.warn({ code: error.code }, 'audiohook session disconnected on an error');
    this.#send('disconnect', error ? { reason, info: `${error.code}: ${error.message}` } : { reason });
    this.#timer = setTimeout(
      () => this.socket.close(CLOSE.normal, 'close timeout'),
      this.timers.closeTimeoutMs,
    );
    this.#timer.unref();
    await this.#handle?.end(reason === 'completed' ? 'completed' : 'error');
  }

  /** Never says which check failed, and never answers sooner than the failure delay (timing oracle). */
  #unauthorized(): Promise<void> {
    this.#state = 'disconnecting';
    const wait = Math.max(0, this.auth.at + this.timers.failureDelayMs - this.deps.clock.now());
    return new Promise((resolve) => {
      setTimeout(() => {
        resolve(this.#disconnect('unauthorized'));
      }, wait).unref();
    });
  }

  #send(type: ServerType, parameters: Record<string, unknown>): void {
    const id = this.#id ?? this.auth.sessionId ?? '';
    this.socket.send(serverMessage(id, ++this.#serverSeq, this.#clientSeq, type, parameters));
  }
}

const channelOf = (c: 'external' | 'internal'): Channel => (c === 'external' ? CUSTOMER : AGENT);
