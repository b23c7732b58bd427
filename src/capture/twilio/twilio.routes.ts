/**
 * `/ingest/twilio`: Twilio Media Streams over WebSocket (PROTOCOLS.md B.3). The upgrade is refused with
 * 403 unless X-Twilio-Signature matches the URL signed with the auth token and the URL's `ts` is fresh
 * and unused (twilio.signature.ts). Needs @fastify/websocket registered on the app (see ingest.routes.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { ReplayCache, verifyTwilioUpgrade } from './twilio.signature.ts';
import { TwilioSession } from './twilio.session.ts';
import { dialledUrl, wireSession } from '../ws/ws.wiring.ts';
import type { IngestDeps } from '../ws/ws.types.ts';

export interface TwilioRouteOptions extends IngestDeps {
  readonly authToken: string | undefined;
  /** http.publicUrl: the origin Twilio dials (https → wss); default: from Host / X-Forwarded-* headers. */
  readonly publicUrl?: string | undefined;
  /** Oldest accepted `ts` in the stream URL, ms (default 60 s). */
  readonly maxAgeMs?: number;
}

export const TWILIO_PATH = '/ingest/twilio';

export const twilioRoutes: FastifyPluginAsync<TwilioRouteOptions> = (app, opts) => {
  const replay = new ReplayCache();
  app.get(
    TWILIO_PATH,
    {
      websocket: true,
      // Authenticated by the protocol's own scheme (signature, API key, Basic auth), not by a session.
      config: { access: 'public' },
      schema: {
        hide: true,
        summary: 'Twilio Media Streams (WebSocket upgrade, signed with X-Twilio-Signature)',
        querystring: {
          type: 'object',
          properties: { ts: { type: 'string', description: 'Unix seconds when the TwiML was made' } },
        },
      },
      preValidation: async (req, reply) => {
        const signature = req.headers['x-twilio-signature'];
        const result = verifyTwilioUpgrade({
          authToken: opts.authToken,
          url: dialledUrl(opts.publicUrl, req.headers, req.url),
          signature: typeof signature === 'string' ? signature : undefined,
          clock: opts.clock,
          replay,
          ...(opts.maxAgeMs === undefined ? {} : { maxAgeMs: opts.maxAgeMs }),
        });
        if (!result.ok) {
          opts.log.warn({ code: result.error.code }, 'twilio upgrade refused');
          // The log names the failing check; the peer learns only that it was refused.
          await reply.code(403).send({ error: 'forbidden' });
        }
      },
    },
    (socket) => wireSession(socket, new TwilioSession(opts, socket), opts.log, opts.heartbeatMs),
  );
  return Promise.resolve();
};
