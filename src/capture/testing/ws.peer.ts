/**
 * Helpers for tests that drive the ingest endpoints with a real `ws` client on loopback: connect, collect
 * frames, await the close. The wire format itself is written out in each test.
 */
import WebSocket from 'ws';
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';

export interface Peer {
  readonly ws: WebSocket;
  /** Text frames received so far, parsed as JSON. */
  readonly received: unknown[];
  /** Resolves with the next text frame (or one already received and not yet taken). */
  next(): Promise<Record<string, unknown>>;
  readonly closed: Promise<{ code: number; reason: string }>;
}

export function connect(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<Peer> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
  const received: unknown[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  ws.on('message', (data, binary) => {
    if (!binary) received.push(JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : ''));
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      wake?.();
    }),
  );
  const next = async (): Promise<Record<string, unknown>> => {
    while (taken >= received.length) {
      if (ws.readyState === WebSocket.CLOSED) throw new Error('socket closed before the next frame');
      await new Promise<void>((r) => (wake = r));
    }
    return received[taken++] as Record<string, unknown>;
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, received, next, closed }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** A Fastify app with @fastify/websocket, listening on an ephemeral loopback port. */
export async function wsServer(
  register: (app: FastifyInstance) => PromiseLike<unknown>,
): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify();
  await app.register(websocket);
  await register(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port };
}

export function sendJson(ws: WebSocket, value: unknown): void {
  ws.send(JSON.stringify(value));
}
