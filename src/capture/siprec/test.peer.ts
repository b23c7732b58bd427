/** Test helpers: a real SIP peer (UDP or TCP socket on loopback) and a recording test handler. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { isEcouteError } from '../../errors.ts';
import { parseSipMessage, type MalformedContext } from './sip.parser.ts';
import { SipStreamFramer } from './sip.framer.ts';
import {
  buildResponse,
  serializeSip,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from './sip.message.ts';
import { buildSrsAnswer } from './sdp.answer.ts';
import type { SiprecAnswer, SiprecHandler, SiprecInvite, SiprecUpdate } from './sip.server.ts';

/** A SIP peer that queues what it receives and lets a test await the next matching message. */
export class TestPeer {
  readonly #inbox: SipMessage[] = [];
  readonly #waiters: { pred: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];
  #udp: UdpSocket | undefined;
  #tcp: Socket | undefined;
  port = 0;

  private constructor(
    readonly transport: 'udp' | 'tcp',
    readonly serverPort: number,
  ) {}

  static async open(transport: 'udp' | 'tcp', serverPort: number): Promise<TestPeer> {
    const p = new TestPeer(transport, serverPort);
    if (transport === 'udp') {
      const s = createSocket('udp4');
      s.on('message', (b) => p.#push(lenient(b)));
      s.bind(0, '127.0.0.1');
      await once(s, 'listening');
      p.#udp = s;
      p.port = s.address().port;
    } else {
      const s = connect({ host: '127.0.0.1', port: serverPort });
      await once(s, 'connect');
      const framer = new SipStreamFramer();
      s.on('data', (c: Buffer) => {
        for (const r of framer.push(c)) if (r.ok) p.#push(r.message);
      });
      p.#tcp = s;
      p.port = s.localPort ?? 0;
    }
    return p;
  }

  #push(m: SipMessage): void {
    const i = this.#waiters.findIndex((w) => w.pred(m));
    if (i >= 0) this.#waiters.splice(i, 1)[0]?.resolve(m);
    else this.#inbox.push(m);
  }

  sendRaw(bytes: Buffer | string): void {
    const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    if (this.#udp) this.#udp.send(b, this.serverPort, '127.0.0.1');
    else this.#tcp?.write(b);
  }

  send(m: SipMessage): void {
    this.sendRaw(serializeSip(m));
  }

  /** Whether a message matching `pred` has arrived and not been taken yet. */
  holds(pred: (m: SipMessage) => boolean): boolean {
    return this.#inbox.some(pred);
  }

  /** The next received message matching `pred` (already queued or future). */
  next(pred: (m: SipMessage) => boolean = () => true): Promise<SipMessage> {
    const i = this.#inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.#inbox.splice(i, 1)[0] as SipMessage);
    return new Promise((resolve) => this.#waiters.push({ pred, resolve }));
  }

  response(status: number, method?: string): Promise<SipResponse> {
    return this.next(
      (m) =>
        m.kind === 'response' &&
        m.status === status &&
        (method === undefined || m.headers.some((h) => h.key === 'cseq' && h.value.endsWith(method))),
    ) as Promise<SipResponse>;
  }

  request(method: string): Promise<SipRequest> {
    return this.next((m) => m.kind === 'request' && m.method === method) as Promise<SipRequest>;
  }

  /** Answers a request the server sent us (e.g. its BYE). */
  answer(req: SipRequest, status = 200): void {
    this.send(buildResponse(req, status, 'OK'));
  }

  close(): void {
    this.#udp?.close();
    this.#tcp?.destroy();
  }
}

/** Our own 400 copies a broken CSeq back: the test peer keeps what could be parsed. */
function lenient(b: Buffer): SipMessage {
  try {
    return parseSipMessage(b);
  } catch (e) {
    const partial = isEcouteError(e) ? (e.context as MalformedContext).partial : undefined;
    if (partial) return partial;
    throw e;
  }
}

let seq = 0;

/** Rewrites a corpus INVITE for this peer: Via transport/port, fresh branch and Call-ID, a Content-Length. */
export function inviteFrom(
  peer: TestPeer,
  raw: Buffer,
  callId = `call-${++seq}`,
): { bytes: Buffer; callId: string; branch: string } {
  const branch = `z9hG4bK-t${++seq}`;
  let text = raw.toString('latin1');
  text = text.replace(
    /^(Via|v): .*$/im,
    `Via: SIP/2.0/${peer.transport.toUpperCase()} 127.0.0.1:${peer.port};branch=${branch}`,
  );
  text = text.replace(/^(Call-ID|i): .*$/im, `Call-ID: ${callId}`);
  const sep = text.indexOf('\r\n\r\n');
  const body = text.slice(sep + 4);
  const bytes = Buffer.from(
    `${text.slice(0, sep)}\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n\r\n${body}`,
    'latin1',
  );
  return { bytes, callId, branch };
}

/** In-dialog request built from the 200 OK of an INVITE (To with the SRS tag). */
export function inDialog(
  method: string,
  ok: SipResponse,
  peer: TestPeer,
  cseq: number,
  body?: { type: string; text: string },
): Buffer {
  const h = (k: string) => ok.headers.find((x) => x.key === k)?.value ?? '';
  const lines = [
    `${method} sip:srs@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${peer.transport.toUpperCase()} 127.0.0.1:${peer.port};branch=z9hG4bK-d${++seq}`,
    `From: ${h('from')}`,
    `To: ${h('to')}`,
    `Call-ID: ${h('call-id')}`,
    `CSeq: ${cseq} ${method}`,
    'Max-Forwards: 70',
  ];
  if (body) lines.push(`Content-Type: ${body.type}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body?.text ?? '')}`, '', body?.text ?? '');
  return Buffer.from(lines.join('\r\n'));
}

/** A SiprecHandler for tests: records calls, answers recvonly on fake ports, can be held to test CANCEL. */
export class RecordingTestHandler implements SiprecHandler {
  readonly invites: SiprecInvite[] = [];
  readonly updates: { kind: 'reinvite' | 'update'; dialogId: string; upd: SiprecUpdate }[] = [];
  readonly byes: { dialogId: string; from: 'src' | 'srs' }[] = [];
  readonly cancels: string[] = [];
  /** When set, onInvite waits for this promise before answering. */
  hold: Promise<void> | undefined;
  record = true;

  async onInvite(inv: SiprecInvite): Promise<SiprecAnswer> {
    this.invites.push(inv);
    if (this.hold) await this.hold;
    const ports = inv.sdp.media.map((_m, i) => 40000 + 2 * i);
    return {
      kind: 'accept',
      sdp: buildSrsAnswer(inv.sdp, { address: '127.0.0.1', ports, record: this.record }).sdp,
    };
  }

  onReinvite(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer> {
    this.updates.push({ kind: 'reinvite', dialogId, upd });
    const sdp =
      upd.sdp &&
      buildSrsAnswer(upd.sdp, {
        address: '127.0.0.1',
        ports: [40000, 40002],
        record: true,
        sessionVersion: 1,
      }).sdp;
    return Promise.resolve({ kind: 'accept', sdp });
  }

  onUpdate(dialogId: string, upd: SiprecUpdate): Promise<SiprecAnswer> {
    this.updates.push({ kind: 'update', dialogId, upd });
    return Promise.resolve({ kind: 'accept', sdp: undefined });
  }

  onBye(dialogId: string, from: 'src' | 'srs'): void {
    this.byes.push({ dialogId, from });
  }

  onCancel(dialogId: string): void {
    this.cancels.push(dialogId);
  }
}
