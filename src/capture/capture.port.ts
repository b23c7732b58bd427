/**
 * The capture port (DESIGN.md "The flow of one call", STYLE.md §2): what every protocol adapter
 * (SIPREC, Twilio Media Streams, AudioHook, jambonz/mod_audio_fork, import) hands calls to. The recorder
 * (src/capture/recorder.ts) implements it: policy decision, spool, media pipeline, sealing. Adapters only
 * translate their protocol into these calls; they never decide whether a call is recorded.
 */
import type { Direction } from '../policy/call-facts.ts';

export const CAPTURE_PROTOCOLS = ['siprec', 'twilio', 'audiohook', 'fork', 'import'] as const;
export type CaptureProtocol = (typeof CAPTURE_PROTOCOLS)[number];

/** Channel 0 is the agent, channel 1 the customer, in every recording. */
export type Channel = 0 | 1;
export const AGENT: Channel = 0;
export const CUSTOMER: Channel = 1;

/** PCM sample rate of everything pushed into a CallHandle, in Hz. */
export const CAPTURE_RATE_HZ = 8000;

/**
 * What an adapter knows about a call when it starts. The recorder resolves the agent from the directory,
 * looks the customer number up in the opposition list (R-CAL-4) and completes `CallFacts`.
 */
export interface CallFactsInput {
  /** When the call started, ms since epoch (the import uses the CDR's date). */
  readonly startedAt: number;
  readonly direction: Direction;
  /** Queue / skill / hunt group as the telephony names it. */
  readonly queue?: string | undefined;
  /** The agent's id in the telephony (user id, login); resolved against the agent directory. */
  readonly agentExternalId?: string | undefined;
  /** The agent's extension or line; R-EMP-4/5 line flags are looked up by it. */
  readonly agentExtension?: string | undefined;
  /** Customer number as given (E.164 or not). Personal data: never logged, only matched and stored encrypted. */
  readonly customerNumber?: string | undefined;
  /** R-CAL-1: the caller notice was played (inbound) or the agent confirmed reading the script (outbound). */
  readonly noticePlayed: boolean;
  readonly noticeVersion?: number | undefined;
  /** When the notice ended, ms since epoch. */
  readonly noticeEndedAt?: number | undefined;
  /** R-CAL-2: the caller objected before the stream started. */
  readonly objectionSignalled: boolean;
  /** R-EMP-4: the telephony flagged the call as personal (prefix or key). */
  readonly personalCall: boolean;
  /** R-EMP-5: the telephony flagged the line as a protected employee's. */
  readonly protectedLine: boolean;
  /** R-PUR-6 / R-PUR-7: a manual trigger already pressed. */
  readonly trigger?: 'agent_incident_button' | 'contract_conclusion' | undefined;
}

export interface ProtocolInfo {
  readonly name: CaptureProtocol;
  /** The protocol's own ids (callSid, streamSid, conversationId, file name…), kept with the recording. */
  readonly ids: Readonly<Record<string, string>>;
}

export type EndReason = 'completed' | 'hangup' | 'vanished' | 'error';
export type GapKind = 'lost' | 'discarded';

/** One recorded call, open for audio. Every method is cheap and synchronous except `end`. */
export interface CallHandle {
  readonly callId: string;
  /** Audio for one channel as PCM16 at 8 kHz (adapters decode µ-law/L16 and resample first). */
  push(channel: Channel, samples: Int16Array): void;
  /** Both channels interleaved (agent, customer, agent, …), when the protocol gives stereo. */
  pushStereo(interleaved: Int16Array): void;
  /** A key press: drives objection (R-CAL-2) and masking (R-PCI-2); the digit is never stored. */
  dtmf(digit: string): void;
  /** R-PCI-1: from now on, no audio reaches storage, listeners or analytics, until `resume`. */
  pause(reason: string): void;
  resume(): void;
  /**
   * `ms` of audio that will never arrive: lost in transport, or discarded by the sender. The timeline
   * advances by `ms` of silence on `channel`, or on both channels when `channel` is omitted.
   */
  gap(ms: number, kind: GapKind, channel?: Channel): void;
  /** Ends the call and seals what was captured; idempotent. */
  end(reason: EndReason): Promise<void>;
}

export interface CaptureSink {
  /**
   * Decides and, if the call is recorded, opens it. Returns undefined when no audio is wanted (the call is
   * not recorded: the adapter stops the stream and keeps nothing, R-MIN-4). Throws
   * `CaptureErrors.EXPIRED` (R-RET-1) when the call's retention would already be over (import only).
   */
  start(facts: CallFactsInput, protocol: ProtocolInfo): Promise<CallHandle | undefined>;
}
