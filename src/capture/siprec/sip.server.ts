/**
 * The SIPREC recording server's SIP side (RFC 7866): transports, transactions and dialogs, with the
 * recording decisions delegated to a SiprecHandler port (the recorder service owns policy, ports and
 * media). Malformed input is answered 400 + Warning when possible, otherwise dropped and counted; one
 * bad peer never stops the others. Over the configured number of calls, INVITEs get 503 + Retry-After.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import type { Logger } from '../../log.ts';
import type { EcouteError } from '../../errors.ts';
import { isEcouteError } from '../../errors.ts';
import { buildResponse, header, type SipMessage, type SipRequest, type SipResponse } from './sip.message.ts';
import type { MalformedContext } from './sip.parser.ts';
import { SipTransport, type Endpoint } from './sip.transport.ts';
import { TransactionLayer } from './sip.transactions.ts';
import { DialogTable, buildBye, type Dialog } from './sip.dialogs.ts';
import { realTimers, type TimerPort } from './sip.timers.ts';
import { readSiprecBody, readSiprecOffer, type SiprecBody } from './siprec.invite.ts';
import type { SdpSession } from './sdp.parser.ts';
import type { SiprecAnswer, SiprecHandler, SiprecInvite, SiprecUpdate } from './siprec.handler.ts';

export type { SiprecAnswer, SiprecHandler, SiprecInvite, SiprecUpdate } from './siprec.handler.ts';

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO';
export const ACCEPT =
  'application/sdp, application/rs-metadata+xml, application/rs-metadata, multipart/mixed';

export interface SipServerOptions {
  readonly config: Pick<
    Config['sip'],
    'host' | 'port' | 'transports' | 'tlsPort' | 'tlsCert' | 'tlsKey' | 'maxCalls'
  >;
  readonly handler: SiprecHandler;
  readonly log: Logger;
  readonly timers?: TimerPort;
  /** Seconds announced in Retry-After on 503 (default 5). */
  readonly retryAfterSeconds?: number;
  readonly t1Ms?: number;
}

export interface SipServerStats {
  malformedAnswered: number;
  malformedDropped: number;
  overloadRejected: number;
  invitesAccepted: number;
  invitesRejected: number;
}

function token(): string {
  return randomBytes(8).toString('hex');
}

export class SipServer {
  readonly #o: SipServerOptions;
  readonly #transport: SipTransport;
  readonly #tx: TransactionLayer;
  readonly #dialogs = new DialogTable();
  /** BYEs of ours waiting for the ACK of the 2xx that set up their dialog (RFC 3261 §15). */
  readonly #ackWaiters = new Map<string, (() => void)[]>();
  readonly stats: SipServerStats = {
    malformedAnswered: 0,
    malformedDropped: 0,
    overloadRejected: 0,
    invitesAccepted: 0,
    invitesRejected: 0,
  };

  constructor(o: SipServerOptions) {
    this.#o = o;
    this.#transport = new SipTransport(
      { ...o.config },
      {
        onMessage: (m, from) => this.#safely(() => this.#onMessage(m, from)),
        onBadMessage: (e, from) => this.#safely(() => this.#onBad(e, from)),
      },
    );
    this.#tx = new TransactionLayer({
      send: (to, msg) => this.#transport.send(to, msg),
      timers: o.timers ?? realTimers,
      ...(o.t1Ms === undefined ? {} : { t1Ms: o.t1Ms }),
      onAckTimeout: (req) => this.#onAckTimeout(req),
    });
  }

  listen(): Promise<void> {
    return this.#transport.listen();
  }

  ports(): ReturnType<SipTransport['ports']> {
    return this.#transport.ports();
  }

  /** Recording sessions in progress (answered or being decided). */
  get activeDialogs(): number {
    return this.#dialogs.size;
  }

  async close(): Promise<void> {
    for (const id of [...this.#ackWaiters.keys()]) this.#releaseAckWaiters(id);
    this.#tx.close();
    await this.#transport.close();
  }

  /** Ends a recording session from the SRS side (objection R-CAL-2, shutdown); resolves when answered or timed out. */
  async sendBye(dialogId: string, opts: { readonly waitForAck?: boolean } = {}): Promise<boolean> {
    let d = this.#dialogs.get(dialogId);
    if (!d) return false;
    if (d.state === 'early' && opts.waitForAck !== false) {
      // RFC 3261 §15: no BYE before the ACK of our 2xx (or its timeout); sent earlier, it can overtake the
      // 2xx (another TCP connection) and the SRC drops it as unexpected.
      await new Promise<void>((resolve) =>
        this.#ackWaiters.set(dialogId, [...(this.#ackWaiters.get(dialogId) ?? []), resolve]),
      );
      d = this.#dialogs.get(dialogId);
      if (!d) return false; // ended meanwhile (the SRC's BYE or CANCEL, or the ACK timeout's BYE)
    }
    this.#dialogs.remove(d.id);
    this.#releaseAckWaiters(d.id);
    this.#o.handler.onBye(d.id, 'srs');
    const local = ourAddress(d.remote, this.#o.config.host, d.localHeader);
    const port = this.ports()[d.remote.transport] ?? 0;
    const res = await this.#tx.request(d.remote, buildBye(d, `${local}:${port}`, `z9hG4bK${token()}`));
    return res !== undefined && res.status < 300;
  }

  #releaseAckWaiters(dialogId: string): void {
    const waiting = this.#ackWaiters.get(dialogId);
    this.#ackWaiters.delete(dialogId);
    for (const resolve of waiting ?? []) resolve();
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // Never crash on one message: log without the message content (it may carry numbers).
      this.#o.log.error(
        { err: isEcouteError(e) ? e.code : String((e as Error)?.name) },
        'sip message handling failed',
      );
    }
  }

  #onBad(e: EcouteError, from: Endpoint): void {
    const partial = (e.context as MalformedContext).partial;
    if (
      partial?.kind === 'request' &&
      partial.method !== 'ACK' &&
      header(partial, 'via') &&
      header(partial, 'call-id')
    ) {
      const reason = (e.context as MalformedContext).reason;
      this.#send(from, this.#respond(partial, 400, 'Bad Request', undefined, [['Warning', warning(reason)]]));
      this.stats.malformedAnswered++;
      return;
    }
    this.stats.malformedDropped++;
    this.#o.log.debug({ code: e.code, transport: from.transport }, 'sip message dropped');
  }

  #send(to: Endpoint, msg: SipMessage): void {
    this.#transport.send(to, msg);
  }

  #respond(
    req: SipRequest,
    status: number,
    reason: string,
    toTag?: string,
    headers: [string, string][] = [],
    body?: string,
    contentType?: string,
  ): SipResponse {
    return buildResponse(req, status, reason, toTag, {
      headers,
      ...(body === undefined ? {} : { body, contentType: contentType ?? 'application/sdp' }),
    });
  }

  /** Sends a response inside the request's server transaction. */
  #reply(req: SipRequest, res: SipResponse): void {
    this.#tx.respond(req, res);
  }

  #onMessage(msg: SipMessage, from: Endpoint): void {
    if (msg.kind === 'response') {
      this.#tx.receiveResponse(msg);
      return;
    }
    if (msg.method === 'ACK') {
      if (this.#tx.ack(msg)) {
        const d = this.#dialogs.forRequest(msg);
        if (d && d.state === 'early') {
          d.state = 'confirmed';
          this.#releaseAckWaiters(d.id);
        }
      }
      return;
    }
    if (this.#tx.receive(msg, from) === 'retransmission') return;
    if (msg.method === 'CANCEL') return this.#onCancel(msg);
    if (header(msg, 'to') && /;\s*tag=/i.test(header(msg, 'to') ?? '')) return this.#inDialog(msg);
    switch (msg.method) {
      case 'INVITE':
        return this.#onInvite(msg, from);
      case 'OPTIONS':
        return this.#reply(msg, this.#respond(msg, 200, 'OK', token(), capabilityHeaders()));
      case 'BYE':
      case 'UPDATE':
      case 'INFO':
        return this.#reply(msg, this.#respond(msg, 481, 'Call/Transaction Does Not Exist'));
      default:
        return this.#reply(msg, this.#respond(msg, 405, 'Method Not Allowed', undefined, [['Allow', ALLOW]]));
    }
  }

  #onInvite(req: SipRequest, from: Endpoint): void {
    this.#reply(req, this.#respond(req, 100, 'Trying'));
    if (this.#dialogs.size >= this.#o.config.maxCalls) {
      this.stats.overloadRejected++;
      const retry = String(this.#o.retryAfterSeconds ?? 5);
      return this.#reply(
        req,
        this.#respond(req, 503, 'Service Unavailable', token(), [['Retry-After', retry]]),
      );
    }
    let body: SiprecBody & { sdp: SdpSession };
    try {
      body = readSiprecOffer(req);
    } catch (e) {
      if (!isEcouteError(e)) throw e;
      this.stats.invitesRejected++;
      const reason = reasonOf(e);
      return this.#reply(
        req,
        this.#respond(req, 400, 'Bad Request', token(), [['Warning', warning(reason)]]),
      );
    }
    const d = this.#dialogs.create(req, from, token());
    const inv: SiprecInvite = {
      dialogId: d.id,
      request: req,
      ...body,
      remote: from,
      localAddress: ourAddress(from, this.#o.config.host, req.uri),
    };
    this.#o.handler.onInvite(inv).then(
      (answer) => this.#answerInvite(d, req, answer),
      (e: unknown) =>
        this.#answerInvite(d, req, {
          kind: 'reject',
          status: 500,
          reason: 'Server Internal Error',
          warning: isEcouteError(e) ? e.code : 'recorder failure',
        }),
    );
  }

  #answerInvite(d: Dialog, req: SipRequest, answer: SiprecAnswer): void {
    if (d.state === 'terminated') return; // cancelled meanwhile: onCancel already told the handler
    if (answer.kind === 'reject') {
      this.#dialogs.remove(d.id);
      this.#releaseAckWaiters(d.id);
      this.stats.invitesRejected++;
      const extra: [string, string][] = answer.warning ? [['Warning', warning(answer.warning)]] : [];
      return this.#reply(req, this.#respond(req, answer.status, answer.reason, d.localTag, extra));
    }
    this.stats.invitesAccepted++;
    this.#reply(
      req,
      this.#respond(
        req,
        200,
        'OK',
        d.localTag,
        [...capabilityHeaders(), ['Contact', this.#contact(d)]],
        answer.sdp,
      ),
    );
  }

  #contact(d: Dialog): string {
    const host = ourAddress(d.remote, this.#o.config.host, d.localHeader);
    const port = this.ports()[d.remote.transport] ?? 0;
    const h = host.includes(':') ? `[${host}]` : host;
    return `<sip:srs@${h}:${port};transport=${d.remote.transport}>`;
  }

  #onCancel(cancel: SipRequest): void {
    const invite = this.#tx.pendingInvite(cancel);
    if (!invite) return this.#reply(cancel, this.#respond(cancel, 481, 'Call/Transaction Does Not Exist'));
    this.#reply(cancel, this.#respond(cancel, 200, 'OK'));
    const d = this.#dialogs.all().find((x) => x.callId === header(invite, 'call-id') && x.state === 'early');
    // RFC 3261 §9.2: the INVITE is answered 487 Request Terminated.
    this.#reply(invite, this.#respond(invite, 487, 'Request Terminated', d?.localTag));
    if (d) {
      this.#dialogs.remove(d.id);
      this.#releaseAckWaiters(d.id);
      this.#o.handler.onCancel(d.id);
    }
  }

  #inDialog(req: SipRequest): void {
    const d = this.#dialogs.forRequest(req);
    if (!d) return this.#reply(req, this.#respond(req, 481, 'Call/Transaction Does Not Exist'));
    if (!this.#dialogs.acceptCSeq(d, req))
      return this.#reply(
        req,
        this.#respond(req, 500, 'Server Internal Error', undefined, [
          ['Warning', warning('CSeq out of order')],
        ]),
      );
    switch (req.method) {
      case 'BYE':
        this.#dialogs.remove(d.id);
        this.#releaseAckWaiters(d.id);
        this.#reply(req, this.#respond(req, 200, 'OK'));
        this.#o.handler.onBye(d.id, 'src');
        return;
      case 'INVITE':
      case 'UPDATE':
        return this.#onModify(d, req);
      case 'INFO':
      case 'OPTIONS':
        return this.#reply(req, this.#respond(req, 200, 'OK', undefined, capabilityHeaders()));
      default:
        return this.#reply(req, this.#respond(req, 405, 'Method Not Allowed', undefined, [['Allow', ALLOW]]));
    }
  }

  #onModify(d: Dialog, req: SipRequest): void {
    if (req.method === 'INVITE') this.#reply(req, this.#respond(req, 100, 'Trying'));
    let body: SiprecBody;
    try {
      body = readSiprecBody(req);
    } catch (e) {
      if (!isEcouteError(e)) throw e;
      const reason = reasonOf(e);
      // RFC 3261 §14.2: a bad re-offer is refused with 488 and the session continues unchanged.
      return this.#reply(
        req,
        this.#respond(req, 488, 'Not Acceptable Here', undefined, [['Warning', warning(reason)]]),
      );
    }
    const upd: SiprecUpdate = {
      request: req,
      sdp: body.sdp,
      metadata: body.metadata,
      metadataError: body.metadataError,
    };
    const h = this.#o.handler;
    const p = req.method === 'INVITE' ? h.onReinvite(d.id, upd) : h.onUpdate(d.id, upd);
    p.then(
      (a) => {
        if (a.kind === 'reject') {
          const extra: [string, string][] = a.warning ? [['Warning', warning(a.warning)]] : [];
          return this.#reply(req, this.#respond(req, a.status, a.reason, undefined, extra));
        }
        // An offerless re-INVITE gets the SRS's current SDP as its offer (RFC 3261 §14.2).
        const sdp = body.sdp || req.method === 'INVITE' ? a.sdp : undefined;
        this.#reply(req, this.#respond(req, 200, 'OK', undefined, [['Contact', this.#contact(d)]], sdp));
      },
      () => this.#reply(req, this.#respond(req, 500, 'Server Internal Error')),
    );
  }

  #onAckTimeout(req: SipRequest): void {
    const d = this.#dialogs.all().find((x) => x.callId === header(req, 'call-id'));
    // RFC 3261 §13.3.1.4: no ACK for our 2xx → the session is not established; end it.
    if (d) void this.sendBye(d.id, { waitForAck: false });
  }
}

/** RFC 3261 §20.43: `Warning: 399 <agent> "<text>"`; the text is ours (never the peer's content). */
export function warning(text: string): string {
  return `399 ecoute "${text.replace(/["\\\r\n]/g, ' ').slice(0, 120)}"`;
}

function capabilityHeaders(): [string, string][] {
  return [
    ['Allow', ALLOW],
    ['Supported', 'siprec'],
    ['Accept', ACCEPT],
  ];
}

function reasonOf(e: EcouteError): string {
  const r = e.context['reason'];
  return typeof r === 'string' ? r : e.code;
}

const ANY = new Set(['0.0.0.0', '::', '::0', '']);

/**
 * Our address for Contact, Via and the SDP c= line: the socket's local address (TCP/TLS), else the bound
 * host, else the host the SRC addressed (Request-URI or To), which is what a UDP socket bound to
 * 0.0.0.0 can only guess. sip.mediaAddress, when set, overrides it for media (the recorder's choice).
 */
export function ourAddress(from: Endpoint, host: string, addressed: string): string {
  if (from.localAddress && !ANY.has(from.localAddress)) return from.localAddress.replace(/^::ffff:/i, '');
  if (!ANY.has(host)) return host;
  const m = /sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^:;>]+)/i.exec(addressed);
  return m?.[1]?.replace(/^\[|\]$/g, '') ?? host;
}
