/**
 * The capture endpoints this deployment offers, for the administrator's integrations page: where SBCs,
 * PBXs and CCaaS streams must send calls, whether each WebSocket endpoint has its credentials configured,
 * and how many calls this node records now. Never a secret: only whether one is set.
 */
import type { FastifyPluginAsync } from 'fastify';
import { CAPTURE_PROTOCOLS, type CaptureProtocol } from '../../capture/capture.port.ts';
import type { ApiDeps } from '../deps.ts';
import { errors } from '../schemas.ts';

/** Paths of the WebSocket ingest endpoints (TWILIO_PATH, AUDIOHOOK_PATH, FORK_PATH in src/capture). */
export const INGEST_PATHS = {
  twilio: '/ingest/twilio',
  audiohook: '/ingest/audiohook',
  fork: '/ingest/fork',
} as const;

const ws = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    configured: { type: 'boolean', description: 'Its credentials are set (the values are never shown).' },
  },
  required: ['path', 'configured'],
} as const;

const response = {
  type: 'object',
  properties: {
    ingest: { type: 'boolean', description: 'This node runs the capture role (config `roles`).' },
    siprec: {
      type: 'object',
      properties: {
        host: { type: 'string' },
        port: { type: 'integer' },
        transports: { type: 'array', items: { type: 'string' } },
        tlsPort: { type: ['integer', 'null'], description: 'Set when TLS is among the transports.' },
        maxCalls: { type: 'integer' },
        trunksFile: { type: 'boolean', description: 'A trunk mapping file is configured.' },
      },
      required: ['host', 'port', 'transports', 'tlsPort', 'maxCalls', 'trunksFile'],
    },
    twilio: ws,
    audiohook: ws,
    fork: ws,
    activeCalls: {
      type: ['object', 'null'],
      description: 'Calls being recorded on this node, by protocol; null on a node without a recorder.',
      properties: {
        total: { type: 'integer' },
        byProtocol: { type: 'object', additionalProperties: { type: 'integer' } },
      },
      required: ['total', 'byProtocol'],
    },
  },
  required: ['ingest', 'siprec', 'twilio', 'audiohook', 'fork', 'activeCalls'],
} as const;

function activeCalls(deps: ApiDeps): { total: number; byProtocol: Record<string, number> } | null {
  if (!deps.recorder) return null;
  const byProtocol = Object.fromEntries(CAPTURE_PROTOCOLS.map((p) => [p, 0])) as Record<
    CaptureProtocol,
    number
  >;
  let total = 0;
  for (const call of deps.recorder.active.values()) {
    byProtocol[call.info.protocol] += 1;
    total += 1;
  }
  return { total, byProtocol };
}

export const integrationsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin is async by contract
  async (app) => {
    const c = deps.config;
    app.get(
      '/api/integrations',
      {
        config: { access: 'integration_read' },
        schema: { tags: ['integrations'], response: { 200: response, ...errors } },
      },
      () => ({
        ingest: c.roles.includes('ingest'),
        siprec: {
          host: c.sip.host,
          port: c.sip.port,
          transports: c.sip.transports,
          tlsPort: c.sip.transports.includes('tls') ? c.sip.tlsPort : null,
          maxCalls: c.sip.maxCalls,
          trunksFile: c.sip.trunksFile !== undefined,
        },
        twilio: { path: INGEST_PATHS.twilio, configured: c.twilio.authToken !== undefined },
        audiohook: { path: INGEST_PATHS.audiohook, configured: c.audiohook.apiKey !== undefined },
        fork: { path: INGEST_PATHS.fork, configured: c.fork.username !== undefined },
        activeCalls: activeCalls(deps),
      }),
    );
  };
