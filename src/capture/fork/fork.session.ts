/**
 * One jambonz `listen` / mod_audio_fork stream: metadata text frame (decide; close at once if not
 * recorded) → L16 little-endian binary frames at 8 or 16 kHz (16 kHz is low-pass decimated to 8 kHz) and
 * DTMF text frames → close. The caller's leg is the customer on inbound calls and the agent on outbound
 * ones; `stereo` carries the caller in channel 0 and the other leg in channel 1 (the read/write order of
 * FreeSWITCH's SMBF_STEREO bug, PROTOCOLS.md B.5: unverified on a live switch); `mixed` cannot be split,
 * so it is recorded on both channels.
 */
import { fail, type EcouteError } from '../../errors.ts';
import { AGENT, CUSTOMER, type CallHandle, type Channel } from '../capture.port.ts';
import { factsFromParameters } from '../ws/facts.params.ts';
import { CLOSE, closeReason } from '../ws/serial.gate.ts';
import type { IngestDeps, SessionSocket } from '../ws/ws.types.ts';
import { Decimator2, deinterleave } from './decimator.ts';
import { ForkErrors } from './errors.ts';
import { parseEvent, parseMetadata, type ForkMetadata } from './fork.messages.ts';

const CLOSE_FOR: Readonly<Record<string, number>> = {
  [ForkErrors.MALFORMED.code]: CLOSE.invalidPayload,
  [ForkErrors.FORMAT.code]: CLOSE.unsupportedData,
  [ForkErrors.FRAME_SIZE.code]: CLOSE.unsupportedData,
  [ForkErrors.UNKNOWN_EVENT.code]: CLOSE.unsupportedData,
};

export class ForkSession {
  #state: 'waiting' | 'starting' | 'recording' | 'closed' = 'waiting';
  #meta: ForkMetadata | undefined;
  #handle: CallHandle | undefined;
  /** Sink channel of each frame channel. */
  #route: Channel[] = [];
  #decimators: Decimator2[] = [];

  constructor(
    private readonly deps: IngestDeps,
    private readonly socket: SessionSocket,
  ) {}

  onText(text: string): void | Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'waiting') {
      const meta = parseMetadata(text);
      return meta.ok ? this.#start(meta.value) : this.#abort(meta.error);
    }
    const event = parseEvent(text);
    if (!event.ok) return this.#abort(event.error);
    this.#handle?.dtmf(event.value.digit); // R-CAL-2 / R-PCI-2 in the recorder; the digit is not kept here
  }

  onBinary(data: Buffer): void | Promise<void> {
    if (this.#state === 'closed') return;
    const meta = this.#meta;
    if (this.#state !== 'recording' || !meta || !this.#handle) {
      return this.#abort(fail(ForkErrors.NOT_STARTED, 'audio before the metadata frame'));
    }
    const channels = meta.mixType === 'stereo' ? 2 : 1;
    if (data.length % (2 * channels) !== 0) {
      return this.#abort(
        fail(ForkErrors.FRAME_SIZE, `${data.length} bytes is not whole L16 samples x${channels}`),
      );
    }
    const pcm = new Int16Array(data.length / 2);
    for (let i = 0; i < pcm.length; i++) pcm[i] = data.readInt16LE(i * 2);
    const planes = channels === 1 ? [pcm] : deinterleave(pcm, 2);
    planes.forEach((plane, i) => {
      const at8k = meta.sampleRate === 16000 ? (this.#decimators[i] as Decimator2).process(plane) : plane;
      if (meta.mixType === 'mixed') {
        this.#handle?.push(AGENT, at8k);
        this.#handle?.push(CUSTOMER, at8k);
      } else {
        this.#handle?.push(this.#route[i] as Channel, at8k);
      }
    });
  }

  async onClose(code: number): Promise<void> {
    const wasOpen = this.#state !== 'closed';
    this.#state = 'closed';
    if (wasOpen && this.#handle) {
      // jambonz and mod_audio_fork close normally when the call or the fork ends.
      if (code !== CLOSE.normal) this.deps.log.info({ code }, 'fork stream vanished');
      await this.#handle.end(code === CLOSE.normal ? 'completed' : 'vanished');
    }
  }

  async #start(meta: ForkMetadata): Promise<void> {
    const direction = meta.direction ?? 'inbound';
    const facts = factsFromParameters(meta.parameters, {
      startedAt: this.deps.clock.now(),
      direction,
      customerNumber: direction === 'inbound' ? meta.from : meta.to,
    });
    if (!facts.ok) return this.#abort(facts.error, CLOSE.invalidPayload);
    const callerIs: Channel = facts.facts.direction === 'inbound' ? CUSTOMER : AGENT;
    this.#route =
      meta.mixType === 'stereo' ? [callerIs, callerIs === CUSTOMER ? AGENT : CUSTOMER] : [callerIs];
    this.#decimators = [new Decimator2(), new Decimator2()];
    this.#state = 'starting';
    const ids: Record<string, string> = { mixType: meta.mixType, sampleRate: String(meta.sampleRate) };
    if (meta.callSid) ids.callSid = meta.callSid;
    const handle = await this.deps.sink.start(facts.facts, { name: 'fork', ids });
    if ((this.#state as string) === 'closed') {
      await handle?.end('vanished');
      return;
    }
    if (!handle) {
      this.#state = 'closed'; // not recorded: stop the fork, keep nothing (R-MIN-4)
      this.socket.close(CLOSE.normal, 'call not recorded');
      return;
    }
    this.#meta = meta;
    this.#handle = handle;
    this.#state = 'recording';
  }

  async #abort(error: EcouteError, code?: number): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.deps.log.warn({ code: error.code }, 'fork stream closed on a protocol error');
    this.socket.close(
      code ?? CLOSE_FOR[error.code] ?? CLOSE.protocolError,
      closeReason(error.code, error.message),
    );
    await this.#handle?.end('error');
  }
}
