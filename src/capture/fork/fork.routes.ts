/**
 * `/ingest/fork`: jambonz `listen` (subprotocol audio.jambonz.org) and FreeSWITCH mod_audio_fork
 * (audio.drachtio.org), PROTOCOLS.md B.5. The upgrade needs HTTP Basic credentials (jambonz `wsAuth`;
 * for mod_audio_fork put them in the URL, wss://user:pass@host/ingest/fork). Needs @fastify/websocket.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { CLOSE, closeReason } from '../ws/serial.gate.ts';
import { wireSession } from '../ws/ws.wiring.ts';
import type { IngestDeps } from '../ws/ws.types.ts';
import { ForkErrors } from './errors.ts';
import { FORK_SUBPROTOCOLS } from './fork.messages.ts';
import { ForkSession } from './fork.session.ts';

export interface ForkRouteOptions extends IngestDeps {
  readonly username: string | undefined;
  readonly password: string | undefined;
}

export const FORK_PATH = '/ingest/fork';

/** True when `header` is `Basic base64(username:password)` for the configured pair. */
export function basicAuthOk(
  header: string | undefined,
  username: string | undefined,
  password: string | undefined,
): boolean {
  if (!username || !password || !header) return false;
  const expected = Buffer.from(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`);
  const given = Buffer.from(header.trim());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const forkRoutes: FastifyPluginAsync<ForkRouteOptions> = (app, opts) => {
  app.get(
    FORK_PATH,
    {
      websocket: true,
      // Authenticated by the protocol's own scheme (signature, API key, Basic auth), not by a session.
      config: { access: 'public' },
      schema: {
        hide: true,
        summary: 'jambonz listen / FreeSWITCH mod_audio_fork (WebSocket upgrade, HTTP Basic)',
      },
      preValidation: async (req, reply) => {
        if (!basicAuthOk(req.headers.authorization, opts.username, opts.password)) {
          opts.log.warn({ code: ForkErrors.UNAUTHORIZED.code }, 'fork upgrade refused');
          await reply
            .code(401)
            .header('www-authenticate', 'Basic realm="ecoute"')
            .send({ error: 'unauthorized' });
        }
      },
    },
    (socket) => {
      if (!(FORK_SUBPROTOCOLS as readonly string[]).includes(socket.protocol)) {
        const e = ForkErrors.SUBPROTOCOL;
        socket.close(CLOSE.protocolError, closeReason(e.code, `expected ${FORK_SUBPROTOCOLS.join(' or ')}`));
        return;
      }
      wireSession(socket, new ForkSession(opts, socket), opts.log, opts.heartbeatMs);
    },
  );
  return Promise.resolve();
};
