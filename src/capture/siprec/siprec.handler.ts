/**
 * The port between the SIP stack and the recorder service (which owns policy, RTP ports and media):
 * what a SIPREC INVITE, re-INVITE or UPDATE looks like once parsed, and how the service answers.
 */
import type { SipRequest } from './sip.message.ts';
import type { Endpoint } from './sip.transport.ts';
import type { SdpSession } from './sdp.parser.ts';
import type { RsMetadata } from './metadata.parser.ts';
import type { SiprecSignals } from './siprec.invite.ts';

/** An initial SIPREC INVITE, parsed, as the handler sees it. */
export interface SiprecInvite {
  readonly dialogId: string;
  readonly request: SipRequest;
  readonly sdp: SdpSession;
  readonly metadata: RsMetadata | undefined;
  /** Code of the error that made the metadata unusable (the call is still recordable), if any. */
  readonly metadataError: string | undefined;
  /** Require: siprec / Contact +sip.src; both absent is accepted but noted (PROTOCOLS.md B.1.4). */
  readonly signals: SiprecSignals;
  readonly remote: Endpoint;
  /** Our address as the SRC reached it (socket, bound host or Request-URI host), for the SDP c= line. */
  readonly localAddress: string;
}

/**
 * A re-INVITE or UPDATE: SDP and/or metadata, either may be absent. Session-timer refreshes repeat the
 * same SDP: answering them must be idempotent. For an offerless re-INVITE, answer the current SDP.
 */
export interface SiprecUpdate {
  readonly request: SipRequest;
  readonly sdp: SdpSession | undefined;
  readonly metadata: RsMetadata | undefined;
  readonly metadataError: string | undefined;
}

export type SiprecAnswer =
  | { readonly kind: 'accept'; readonly sdp: string | undefined }
  | { readonly kind: 'reject'; readonly status: number; readonly reason: string; readonly warning?: string };

/** The recorder service's side of the recording session. */
export interface SiprecHandler {
  onInvite(inv: SiprecInvite): Promise<SiprecAnswer>;
  onReinvite(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer>;
  onUpdate(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer>;
  /** The session ended: `src` sent BYE, or `srs` (Ecoute's own sendBye, or no ACK ever came). */
  onBye(dialogId: string, from: 'src' | 'srs'): void;
  /** The SRC cancelled the INVITE before it was answered: release what onInvite allocated. */
  onCancel(dialogId: string): void;
}
