/**
 * The recorder service's side of a SIPREC session (the `SiprecHandler` port): analyses the INVITE
 * (trunk, who is who, protocol facts), asks the recorder for a decision, and either answers every stream
 * `inactive` so that no audio of the call ever reaches Ecoute (R-MIN-4), or allocates RTP ports in the
 * workers, opens the recording and answers `recvonly`. In-dialog requests pause and resume (R-PCI-1) and
 * re-check a transferred-to agent (R-EMP-2); the objection key ends the session from our side (R-CAL-2).
 */
import type { Clock } from '../../clock.ts';
import type { Logger } from '../../log.ts';
import type { ActiveCall } from '../active-call.ts';
import type { CallFactsInput } from '../capture.port.ts';
import type { Recorder } from '../recorder.ts';
import type { RtpCall, RtpEngine } from '../rtp/rtp.engine.ts';
import type { RtpCodec, RtpStreamSpec } from '../rtp/rtp.types.ts';
import { applyPartialUpdate } from './metadata.partial.ts';
import type { RsMetadata } from './metadata.parser.ts';
import { buildSrsAnswer, type SrsAnswer } from './sdp.answer.ts';
import type { SdpSession } from './sdp.parser.ts';
import { header } from './sip.message.ts';
import type { SiprecAnswer, SiprecHandler, SiprecInvite, SiprecUpdate } from './siprec.handler.ts';
import { analyseInvite, type SiprecAnalysis } from './siprec.analysis.ts';
import { splitAor } from './participants.ts';
import type { TrunkConfig } from './trunk.ts';

export interface SiprecRecorderDeps {
  readonly recorder: Recorder;
  readonly rtp: RtpEngine;
  readonly trunks: readonly TrunkConfig[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Address announced in SDP answers; default the address the INVITE reached. */
  readonly mediaAddress?: string | undefined;
  /** R-CAL-2: the objection key of the caller notice in force. */
  readonly objectionKey: () => string | undefined;
}

interface Session {
  readonly invite: Pick<SiprecInvite, 'request' | 'remote' | 'localAddress'>;
  sdp: SdpSession;
  metadata: RsMetadata | undefined;
  analysis: SiprecAnalysis;
  version: number;
  address: string;
  ports: readonly number[];
  paused: boolean;
  call: ActiveCall | undefined;
  rtp: RtpCall | undefined;
  ended: boolean;
}

const CODECS: readonly RtpCodec[] = ['PCMU', 'PCMA', 'G722', 'telephone-event'];

/** What the SDP offers of each m-line, for the RTP workers; channel by the role assigned to the stream. */
function streamSpecs(sdp: SdpSession, analysis: SiprecAnalysis): RtpStreamSpec[] {
  return sdp.media.map((m, i) => {
    const role = analysis.roles.streams.find((s) => s.index === i)?.role;
    const channel = role === 'customer' ? 1 : role === 'agent' ? 0 : i === 0 ? 0 : 1;
    // rtpmaps include the static RFC 3551 types (PCMU 0, PCMA 8, G722 9) the offer lists without a map.
    const payloadTypes = m.rtpmaps.flatMap((r) => {
      const codec = CODECS.find((c) => c.toLowerCase() === r.encoding.toLowerCase());
      return codec && r.clockRate === 8000 ? [{ pt: r.pt, codec }] : [];
    });
    return { label: m.label ?? String(i + 1), channel, payloadTypes };
  });
}

/** The facts the recorder needs, from the SIPREC analysis. The customer number is the customer AOR's user. */
function factsInput(a: SiprecAnalysis, now: number): CallFactsInput {
  const ref = a.facts.agentRef;
  const customerAor = a.roles.customerAor;
  return {
    startedAt: now,
    direction: a.facts.direction,
    queue: a.facts.queue,
    agentExternalId: ref?.kind === 'id' ? ref.value : undefined,
    agentExtension: ref?.kind === 'aor' ? ref.value : undefined,
    customerNumber: customerAor ? splitAor(customerAor).user : undefined,
    noticePlayed: a.facts.noticePlayed,
    noticeVersion: a.facts.noticeVersion,
    noticeEndedAt: a.facts.noticeEndedAt,
    objectionSignalled: a.facts.objectionSignalled,
    personalCall: false,
    protectedLine: false,
  };
}

export class SiprecRecorder implements SiprecHandler {
  readonly #d: SiprecRecorderDeps;
  readonly #sessions = new Map<string, Session>();
  #sendBye: ((dialogId: string) => Promise<boolean>) | undefined;

  constructor(deps: SiprecRecorderDeps) {
    this.#d = deps;
  }

  /** Lets the handler end a session from Ecoute's side (objection). */
  attach(sendBye: (dialogId: string) => Promise<boolean>): void {
    this.#sendBye = sendBye;
  }

  get sessions(): number {
    return this.#sessions.size;
  }

  async onInvite(inv: SiprecInvite): Promise<SiprecAnswer> {
    const { recorder, clock, log } = this.#d;
    const now = clock.now();
    const analysis = analyseInvite(inv, this.#d.trunks, now);
    const input = factsInput(analysis, now);
    const adm = await recorder.admit(input);
    const address = this.#d.mediaAddress ?? inv.localAddress;
    const session: Session = {
      invite: inv,
      sdp: inv.sdp,
      metadata: inv.metadata,
      analysis,
      version: 1,
      address,
      ports: [],
      paused: false,
      call: undefined,
      rtp: undefined,
      ended: false,
    };
    this.#sessions.set(inv.dialogId, session);
    if (!adm.decision.record) {
      log.info({ reason: adm.decision.reason, trunk: analysis.trunk.id }, 'siprec session not recorded');
      return { kind: 'accept', sdp: this.#answer(session, false).sdp };
    }
    const callIdHeader = header(inv.request, 'call-id') ?? '';
    let call: ActiveCall;
    try {
      call = await recorder.open(adm, input, {
        name: 'siprec',
        ids: { sipCallId: callIdHeader, trunk: analysis.trunk.id, roles: analysis.roles.basis },
      });
    } catch (e) {
      // The recorder marked the recording failed and gave the slot back; the SRC gets the error, and no
      // session is left behind to count against `sip.maxCalls`.
      this.#sessions.delete(inv.dialogId);
      throw e;
    }
    session.call = call;
    try {
      const rtp = await this.#d.rtp.allocate(call.callId, streamSpecs(inv.sdp, analysis), {
        objectionKey: this.#d.objectionKey(),
        channels: analysis.roles.mixed ? 1 : 2,
      });
      session.rtp = rtp;
      session.ports = rtp.ports;
      this.#wire(inv.dialogId, session, call, rtp);
    } catch (e) {
      log.error({ err: e }, 'rtp allocation failed');
      this.#sessions.delete(inv.dialogId);
      await recorder.close(call.callId, 'error');
      return {
        kind: 'reject',
        status: 503,
        reason: 'Service Unavailable',
        warning: 'no RTP ports available',
      };
    }
    const initiallyInactive = inv.sdp.media.every((m) => m.direction === 'inactive');
    if (initiallyInactive) this.#setPaused(session, true);
    return { kind: 'accept', sdp: this.#answer(session, true).sdp };
  }

  #wire(dialogId: string, s: Session, call: ActiveCall, rtp: RtpCall): void {
    rtp.on('block', (b) => call.onBlock(b));
    rtp.on('segment', (seg) => call.onSegment(seg));
    rtp.on('objection', () => {
      void call.objection('dtmf').then(() => this.#endFromUs(dialogId));
    });
    rtp.on('error', (e) => this.#d.log.error({ err: e }, 'rtp call error'));
    call.attachMedia({
      pause: () => void rtp.pause(),
      resume: () => void rtp.resume(),
      stop: () => rtp.release(),
    });
  }

  async #endFromUs(dialogId: string): Promise<void> {
    await this.#sendBye?.(dialogId);
    this.onBye(dialogId, 'srs');
  }

  #answer(s: Session, record: boolean): SrsAnswer {
    const paused = s.paused ? s.sdp.media.map((_, i) => i) : [];
    return buildSrsAnswer(s.sdp, {
      address: s.address,
      ports: s.ports,
      record,
      pausedStreams: paused,
      sessionVersion: s.version++,
    });
  }

  #setPaused(s: Session, paused: boolean): void {
    if (!s.call || s.paused === paused) return;
    s.paused = paused;
    if (paused) s.call.pause('sip_reinvite');
    else s.call.resume();
  }

  onReinvite(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer> {
    return this.#modify(dialogId, upd);
  }

  onUpdate(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer> {
    return this.#modify(dialogId, upd);
  }

  async #modify(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer> {
    const s = this.#sessions.get(dialogId);
    if (!s) return { kind: 'reject', status: 481, reason: 'Call/Transaction Does Not Exist' };
    if (upd.sdp) {
      if (upd.sdp.media.length !== s.sdp.media.length)
        return {
          kind: 'reject',
          status: 488,
          reason: 'Not Acceptable Here',
          warning: 'm-line count changed',
        };
      s.sdp = upd.sdp;
      // PROTOCOLS.md B.1.4: a=inactive pauses (BroadWorks user pause), a=sendonly resumes (R-PCI-1).
      this.#setPaused(
        s,
        upd.sdp.media.every((m) => m.direction === 'inactive'),
      );
    }
    if (upd.metadata) await this.#metadata(s, upd.metadata);
    const recording = s.call !== undefined && !s.ended;
    return { kind: 'accept', sdp: this.#answer(s, recording).sdp };
  }

  /** A metadata update (often `partial`, after a transfer): re-check the agent now on the call. */
  async #metadata(s: Session, update: RsMetadata): Promise<void> {
    s.metadata = update.datamode === 'partial' ? applyPartialUpdate(s.metadata, update) : update;
    const before = s.analysis.facts.agentRef?.value;
    s.analysis = analyseInvite(
      { ...s.invite, sdp: s.sdp, metadata: s.metadata },
      this.#d.trunks,
      this.#d.clock.now(),
      s.metadata,
    );
    const ref = s.analysis.facts.agentRef;
    if (!s.call || s.ended || !ref || ref.value === before) return;
    const verdict = await this.#d.recorder.recheckAgent(s.call.callId, {
      agentExternalId: ref.kind === 'id' ? ref.value : undefined,
      agentExtension: ref.kind === 'aor' ? ref.value : undefined,
    });
    if (!verdict.keep) {
      this.#d.log.info({ rule: verdict.rule }, 'recording stopped after a transfer');
      s.ended = true;
      await this.#d.recorder.close(s.call.callId, 'completed');
    }
  }

  onBye(dialogId: string, _from: 'src' | 'srs'): void {
    const s = this.#sessions.get(dialogId);
    if (!s) return;
    this.#sessions.delete(dialogId);
    s.ended = true;
    if (s.call) void this.#d.recorder.close(s.call.callId, 'hangup');
  }

  onCancel(dialogId: string): void {
    const s = this.#sessions.get(dialogId);
    if (!s) return;
    this.#sessions.delete(dialogId);
    if (s.call) void this.#d.recorder.close(s.call.callId, 'hangup');
  }
}
