/**
 * SIP transports (RFC 3261 §18): UDP datagrams up to 64 KiB, TCP and TLS streams framed by
 * Content-Length. Turns bytes into parsed messages (or typed errors) for the server and sends messages
 * back on the connection they came from. Never throws on peer input.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fail, isEcouteError, type EcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { serializeSip, type SipMessage } from './sip.message.ts';
import { parseSipMessage } from './sip.parser.ts';
import { SipStreamFramer } from './sip.framer.ts';

export type TransportKind = 'udp' | 'tcp' | 'tls';

/** Where a message came from / goes to. `connectionId` names the TCP/TLS connection it arrived on. */
export interface Endpoint {
  readonly transport: TransportKind;
  readonly address: string;
  readonly port: number;
  readonly connectionId?: number;
  /** Our address as seen on that socket (for Contact and SDP), if known. */
  readonly localAddress?: string;
}

export interface TransportOptions {
  readonly host: string;
  /** UDP and TCP port; 0 picks one (tests). */
  readonly port: number;
  readonly transports: readonly TransportKind[];
  readonly tlsPort: number;
  /** PEM file paths for TLS. */
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
}

export interface TransportEvents {
  onMessage(msg: SipMessage, from: Endpoint): void;
  /** Bad input: `error.context.partial` holds what could be parsed, so a 400 can be sent. */
  onBadMessage(error: EcouteError, from: Endpoint): void;
}

const UDP_MAX = 65_535;

export class SipTransport {
  readonly #opts: TransportOptions;
  readonly #events: TransportEvents;
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  #tls: Server | undefined;
  readonly #conns = new Map<number, Socket>();
  #nextConn = 1;

  constructor(opts: TransportOptions, events: TransportEvents) {
    this.#opts = opts;
    this.#events = events;
  }

  /** Opens the configured sockets; on any failure closes what was opened and throws TRANSPORT_FAILED. */
  async listen(): Promise<void> {
    try {
      await this.#open();
    } catch (e) {
      await this.close();
      if (isEcouteError(e)) throw e;
      const code = (e as NodeJS.ErrnoException).code ?? 'unknown';
      throw fail(SipErrors.TRANSPORT_FAILED, `cannot open the SIP sockets (${code})`, { code }, e);
    }
  }

  async #open(): Promise<void> {
    const t = this.#opts.transports;
    if (t.includes('udp')) await this.#listenUdp();
    if (t.includes('tcp')) this.#tcp = await this.#listenStream(createServer(), 'tcp', this.#opts.port);
    if (t.includes('tls')) {
      if (!this.#opts.tlsCert || !this.#opts.tlsKey)
        throw fail(SipErrors.TRANSPORT_FAILED, 'SIP over TLS needs sip.tlsCert and sip.tlsKey', {
          field: 'sip.tlsCert',
        });
      const server = createTlsServer({
        cert: readFileSync(this.#opts.tlsCert),
        key: readFileSync(this.#opts.tlsKey),
      });
      this.#tls = await this.#listenStream(server, 'tls', this.#opts.tlsPort, 'secureConnection');
    }
  }

  /** Bound ports per transport (useful with port 0). */
  ports(): Partial<Record<TransportKind, number>> {
    const portOf = (s: Server | undefined) => {
      const a = s?.address();
      return a && typeof a === 'object' ? a.port : undefined;
    };
    const out: Partial<Record<TransportKind, number>> = {};
    if (this.#udp) out.udp = this.#udp.address().port;
    const tcp = portOf(this.#tcp);
    if (tcp !== undefined) out.tcp = tcp;
    const tls = portOf(this.#tls);
    if (tls !== undefined) out.tls = tls;
    return out;
  }

  async #listenUdp(): Promise<void> {
    const family = this.#opts.host.includes(':') ? 'udp6' : 'udp4';
    const sock = createSocket({ type: family, recvBufferSize: 4 * 1024 * 1024 });
    sock.on('message', (buf, rinfo) => {
      const from: Endpoint = {
        transport: 'udp',
        address: rinfo.address,
        port: rinfo.port,
        localAddress: this.#opts.host,
      };
      this.#deliver(() => parseSipMessage(buf, { mode: 'datagram' }), from);
    });
    sock.on('error', () => undefined); // ICMP errors from peers must not crash the server
    sock.bind(this.#opts.port, this.#opts.host);
    try {
      await once(sock, 'listening');
    } catch (e) {
      sock.close();
      throw e;
    }
    this.#udp = sock;
  }

  async #listenStream(
    server: Server,
    kind: TransportKind,
    port: number,
    event = 'connection',
  ): Promise<Server> {
    server.on(event, (sock: Socket) => this.#adopt(sock, kind));
    server.on('error', () => undefined);
    server.listen(port, this.#opts.host);
    await once(server, 'listening');
    return server;
  }

  #adopt(sock: Socket, kind: TransportKind): number {
    const id = this.#nextConn++;
    this.#conns.set(id, sock);
    const framer = new SipStreamFramer();
    sock.setNoDelay(true);
    sock.on('data', (chunk: Buffer) => {
      const from: Endpoint = {
        transport: kind,
        address: sock.remoteAddress ?? '',
        port: sock.remotePort ?? 0,
        connectionId: id,
        ...(sock.localAddress ? { localAddress: sock.localAddress } : {}),
      };
      for (const r of framer.push(chunk)) {
        if (r.ok) this.#events.onMessage(r.message, from);
        else this.#events.onBadMessage(r.error, from);
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => this.#conns.delete(id));
    return id;
  }

  #deliver(parse: () => SipMessage, from: Endpoint): void {
    let msg: SipMessage;
    try {
      msg = parse();
    } catch (e) {
      if (isEcouteError(e)) this.#events.onBadMessage(e, from);
      return;
    }
    this.#events.onMessage(msg, from);
  }

  /**
   * Sends on the connection the peer used; for TCP/TLS without a live connection, opens one to the
   * endpoint (RFC 3261 §18.2.2). Failures are swallowed: a peer that went away is not our crash.
   */
  send(to: Endpoint, msg: SipMessage): void {
    const bytes = serializeSip(msg);
    if (to.transport === 'udp') {
      if (bytes.length <= UDP_MAX) this.#udp?.send(bytes, to.port, to.address);
      return;
    }
    const live = to.connectionId === undefined ? undefined : this.#conns.get(to.connectionId);
    if (live && !live.destroyed) {
      live.write(bytes);
      return;
    }
    const sock =
      to.transport === 'tls'
        ? tlsConnect({ host: to.address, port: to.port })
        : connect({ host: to.address, port: to.port });
    this.#adopt(sock, to.transport);
    sock.write(bytes);
  }

  async close(): Promise<void> {
    for (const s of this.#conns.values()) s.destroy();
    this.#conns.clear();
    const closing: Promise<unknown>[] = [];
    if (this.#udp) closing.push(new Promise<void>((r) => this.#udp?.close(() => r())));
    for (const s of [this.#tcp, this.#tls]) if (s) closing.push(new Promise<void>((r) => s.close(() => r())));
    await Promise.all(closing);
    this.#udp = this.#tcp = this.#tls = undefined;
  }
}
