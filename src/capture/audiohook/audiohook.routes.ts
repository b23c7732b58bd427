/**
 * `/ingest/audiohook`: Genesys Cloud AudioHook v2 (PROTOCOLS.md B.4). The upgrade is always accepted;
 * authentication (X-API-KEY + HTTP Message Signature) is checked on it, and a failure is answered on the
 * socket with `disconnect` `unauthorized` after at least 500 ms, as Genesys expects. Needs
 * @fastify/websocket registered on the app.
 */
import type { FastifyPluginAsync } from 'fastify';
import { wireSession } from '../ws/ws.wiring.ts';
import type { IngestDeps } from '../ws/ws.types.ts';
import { AudioHookSession, type SessionTimers } from './audiohook.session.ts';
import { NonceCache, verifyAudioHookUpgrade } from './audiohook.signature.ts';

export interface AudioHookRouteOptions extends IngestDeps {
  readonly apiKey: string | undefined;
  readonly clientSecret: string | undefined;
  readonly timers?: Partial<SessionTimers>;
}

export const AUDIOHOOK_PATH = '/ingest/audiohook';

/** Genesys' limit on one message (secondary source): larger frames are refused by the ws layer. */
export const AUDIOHOOK_MAX_MESSAGE_BYTES = 64_000;

export const audiohookRoutes: FastifyPluginAsync<AudioHookRouteOptions> = (app, opts) => {
  const nonces = new NonceCache();
  const timers: SessionTimers = { failureDelayMs: 500, closeTimeoutMs: 10_000, ...opts.timers };
  app.get(
    AUDIOHOOK_PATH,
    {
      websocket: true,
      // Authenticated by the protocol's own scheme (signature, API key, Basic auth), not by a session.
      config: { access: 'public' },
      schema: {
        hide: true,
        summary: 'Genesys Cloud AudioHook v2 (WebSocket upgrade)',
      },
    },
    (socket, req) => {
      const at = opts.clock.now();
      const result = verifyAudioHookUpgrade(
        { target: req.url, authority: req.headers.host ?? '', headers: req.headers },
        { apiKey: opts.apiKey, clientSecret: opts.clientSecret, clock: opts.clock, nonces },
      );
      if (!result.ok) opts.log.warn({ check: result.reason }, 'audiohook upgrade failed authentication');
      const one = (name: string) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      const auth = {
        ok: result.ok,
        organizationId: one('audiohook-organization-id'),
        sessionId: one('audiohook-session-id'),
        at,
      };
      wireSession(socket, new AudioHookSession(opts, socket, auth, timers), opts.log, opts.heartbeatMs);
    },
  );
  return Promise.resolve();
};
