/**
 * Transactions (RFC 3261 §17, RFC 6026): request retransmissions are absorbed by resending the last
 * response; final INVITE responses are retransmitted over UDP (T1 doubling up to T2) until the ACK,
 * giving up after Timer H = 64·T1; the SRS's own requests (BYE) are retransmitted over UDP (Timer E)
 * until a final response or Timer F.
 */
import type { TimerHandle, TimerPort } from './sip.timers.ts';
import {
  branchOf,
  header,
  parseCSeq,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './sip.message.ts';
import type { Endpoint } from './sip.transport.ts';

export interface TransactionOptions {
  send(to: Endpoint, msg: SipMessage): void;
  readonly timers: TimerPort;
  /** RTT estimate, ms (RFC 3261 default 500). */
  readonly t1Ms?: number;
  /** Retransmit interval cap, ms (default 4000). */
  readonly t2Ms?: number;
  /** A 2xx to an INVITE was never ACKed within Timer H (RFC 3261 §13.3.1.4: the UAS should BYE). */
  onAckTimeout?(request: SipRequest): void;
}

interface ServerTx {
  readonly request: SipRequest;
  readonly from: Endpoint;
  last: SipResponse | undefined;
  retransmit: TimerHandle | undefined;
  expire: TimerHandle | undefined;
}

interface ClientTx {
  readonly resolve: (r: SipResponse | undefined) => void;
  retransmit: TimerHandle | undefined;
  giveUp: TimerHandle | undefined;
}

function txKey(msg: SipMessage, method: string): string {
  const m = method === 'ACK' ? 'INVITE' : method;
  return `${branchOf(msg) ?? `${header(msg, 'call-id')}|${header(msg, 'cseq')}`}|${m}`;
}

export class TransactionLayer {
  readonly #o: TransactionOptions;
  readonly #t1: number;
  readonly #t2: number;
  readonly #server = new Map<string, ServerTx>();
  /** 2xx INVITE responses awaiting their ACK, by Call-ID and CSeq number (the ACK is a new transaction). */
  readonly #awaitingAck = new Map<string, ServerTx>();
  readonly #client = new Map<string, ClientTx>();

  constructor(o: TransactionOptions) {
    this.#o = o;
    this.#t1 = o.t1Ms ?? 500;
    this.#t2 = o.t2Ms ?? 4000;
  }

  get size(): number {
    return this.#server.size + this.#client.size;
  }

  /** 'retransmission' when the request belongs to a known transaction (its last response was resent). */
  receive(req: SipRequest, from: Endpoint): 'new' | 'retransmission' {
    const key = txKey(req, req.method);
    const tx = this.#server.get(key);
    if (tx) {
      if (tx.last) this.#o.send(tx.from, tx.last);
      return 'retransmission';
    }
    this.#server.set(key, { request: req, from, last: undefined, retransmit: undefined, expire: undefined });
    return 'new';
  }

  /** Sends a response in the request's transaction and runs its timers. */
  respond(req: SipRequest, res: SipResponse): void {
    const key = txKey(req, req.method);
    const tx = this.#server.get(key);
    if (!tx) return;
    tx.last = res;
    this.#o.send(tx.from, res);
    if (res.status < 200) return;
    const timerH = 64 * this.#t1;
    if (req.method === 'INVITE') {
      // Both the 2xx (TU, §13.3.1.4) and a failure (Timer G, §17.2.1) are resent until the ACK.
      if (tx.from.transport === 'udp') this.#scheduleRetransmit(tx, this.#t1);
      if (res.status < 300) this.#awaitingAck.set(this.#ackKey(req), tx);
      tx.expire = this.#o.timers.set(timerH, () => {
        if (res.status < 300 && this.#awaitingAck.delete(this.#ackKey(req))) this.#o.onAckTimeout?.(req);
        this.#drop(key);
      });
    } else {
      // Timer J: absorb retransmissions of the request for 64·T1, then forget it.
      tx.expire = this.#o.timers.set(timerH, () => this.#drop(key));
    }
  }

  /** The INVITE transaction a CANCEL names (same branch), if it still has no final response. */
  pendingInvite(cancel: SipRequest): SipRequest | undefined {
    const tx = this.#server.get(txKey(cancel, 'INVITE'));
    return tx && (!tx.last || tx.last.status < 200) ? tx.request : undefined;
  }

  /** Handles an ACK: stops retransmissions. True when it acknowledged a 2xx (a dialog-confirming ACK). */
  ack(ack: SipRequest): boolean {
    const failed = this.#server.get(txKey(ack, 'ACK'));
    if (failed?.last && failed.last.status >= 300) {
      this.#o.timers.clear(failed.retransmit);
      failed.retransmit = undefined;
      return false;
    }
    const ok = this.#awaitingAck.get(this.#ackKey(ack));
    if (!ok) return false;
    this.#awaitingAck.delete(this.#ackKey(ack));
    this.#o.timers.clear(ok.retransmit);
    ok.retransmit = undefined;
    return true;
  }

  #ackKey(msg: SipMessage): string {
    return `${header(msg, 'call-id')}|${parseCSeq(header(msg, 'cseq'))?.seq}`;
  }

  #scheduleRetransmit(tx: ServerTx, interval: number): void {
    tx.retransmit = this.#o.timers.set(interval, () => {
      if (!tx.last) return;
      this.#o.send(tx.from, tx.last);
      this.#scheduleRetransmit(tx, Math.min(interval * 2, this.#t2));
    });
  }

  #drop(key: string): void {
    const tx = this.#server.get(key);
    if (!tx) return;
    this.#o.timers.clear(tx.retransmit);
    this.#o.timers.clear(tx.expire);
    this.#server.delete(key);
  }

  /** Sends a non-INVITE request (BYE) and resolves with its final response, or undefined after Timer F. */
  request(to: Endpoint, req: SipRequest): Promise<SipResponse | undefined> {
    const key = txKey(req, req.method);
    return new Promise((resolve) => {
      const tx: ClientTx = { resolve, retransmit: undefined, giveUp: undefined };
      this.#client.set(key, tx);
      this.#o.send(to, req);
      const again = (interval: number): void => {
        tx.retransmit = this.#o.timers.set(interval, () => {
          this.#o.send(to, req);
          again(Math.min(interval * 2, this.#t2));
        });
      };
      if (to.transport === 'udp') again(this.#t1);
      tx.giveUp = this.#o.timers.set(64 * this.#t1, () => this.#finish(key, undefined));
    });
  }

  /** Routes a response to its client transaction. */
  receiveResponse(res: SipResponse): void {
    const cseq = parseCSeq(header(res, 'cseq'));
    if (!cseq || res.status < 200) return;
    this.#finish(txKey(res, cseq.method), res);
  }

  #finish(key: string, res: SipResponse | undefined): void {
    const tx = this.#client.get(key);
    if (!tx) return;
    this.#o.timers.clear(tx.retransmit);
    this.#o.timers.clear(tx.giveUp);
    this.#client.delete(key);
    tx.resolve(res);
  }

  /** Stops every timer (server shutdown); pending client requests resolve undefined. */
  close(): void {
    for (const key of [...this.#server.keys()]) this.#drop(key);
    for (const key of [...this.#client.keys()]) this.#finish(key, undefined);
    this.#awaitingAck.clear();
  }
}
