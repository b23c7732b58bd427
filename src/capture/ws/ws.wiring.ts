/**
 * Wires a `ws` socket to a protocol session: frames go through a SerialGate (arrival order survives the
 * awaited policy decision), the close always reaches the session (a vanished client still ends its call),
 * and a session's unexpected failure closes only its own socket (never other calls).
 */
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../../log.ts';
import { CLOSE, SerialGate } from './serial.gate.ts';

export interface FrameSession {
  onText(text: string): void | Promise<void>;
  onBinary(data: Buffer): void | Promise<void>;
  onClose(code: number): Promise<void>;
}

export function wireSession(
  socket: WebSocket,
  session: FrameSession,
  log: Logger,
  heartbeatMs = 15_000,
): void {
  type Item = { data: RawData; binary: boolean } | { closeCode: number };
  const gate = new SerialGate<Item>(
    (item) => {
      // The close goes through the gate too: frames that arrived before a client vanished are still
      // handled (and kept) even when the policy decision was pending at the time.
      if ('closeCode' in item) return session.onClose(item.closeCode);
      const { data, binary } = item;
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      return binary ? session.onBinary(buf) : session.onText(buf.toString('utf8'));
    },
    (e) => {
      log.error({ err: e }, 'ingest session failed');
      socket.close(CLOSE.internalError, 'internal error');
    },
  );
  socket.on('message', (data, binary) => gate.push({ data, binary }));
  socket.on('error', (e) => log.warn({ err: e }, 'ingest socket error'));
  let alive = true;
  socket.on('pong', () => (alive = true));
  const heartbeat = setInterval(() => {
    if (!alive) {
      log.info({ heartbeatMs }, 'ingest peer stopped answering pings');
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, heartbeatMs);
  heartbeat.unref();
  socket.on('close', (code) => {
    clearInterval(heartbeat);
    gate.push({ closeCode: code });
  });
}

/** The URL the telephony dialled, as it signed it: publicUrl's origin when configured, else from headers. */
export function dialledUrl(
  publicUrl: string | undefined,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  rawUrl: string,
): string {
  if (publicUrl) {
    const u = new URL(publicUrl);
    const scheme = u.protocol === 'https:' ? 'wss:' : u.protocol === 'http:' ? 'ws:' : u.protocol;
    return `${scheme}//${u.host}${rawUrl}`;
  }
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
  const proto = first(headers['x-forwarded-proto']);
  const scheme = proto === 'https' || proto === 'wss' ? 'wss' : 'ws';
  const host = first(headers['x-forwarded-host']) ?? first(headers.host) ?? 'localhost';
  return `${scheme}://${host}${rawUrl}`;
}
