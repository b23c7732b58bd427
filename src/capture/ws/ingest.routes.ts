/**
 * Mounts the WebSocket ingest endpoints on an app: /ingest/twilio, /ingest/audiohook, /ingest/fork.
 * Registers @fastify/websocket first unless the app already has it. The composition root calls this with
 * the recorder as the sink.
 */
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { Config } from '../../config/config.ts';
import { audiohookRoutes } from '../audiohook/audiohook.routes.ts';
import { forkRoutes } from '../fork/fork.routes.ts';
import { twilioRoutes } from '../twilio/twilio.routes.ts';
import type { IngestDeps } from './ws.types.ts';

/** Largest WebSocket message accepted on ingest: well above AudioHook's 64,000 bytes and 1 s of 16 kHz stereo L16. */
export const INGEST_MAX_PAYLOAD_BYTES = 256 * 1024;

export async function registerIngest(
  app: FastifyInstance,
  config: Pick<Config, 'twilio' | 'audiohook' | 'fork' | 'http'>,
  deps: IngestDeps,
): Promise<void> {
  if (!app.hasDecorator('websocketServer')) {
    await app.register(websocket, { options: { maxPayload: INGEST_MAX_PAYLOAD_BYTES } });
  }
  await app.register(twilioRoutes, {
    ...deps,
    authToken: config.twilio.authToken,
    publicUrl: config.http.publicUrl,
  });
  await app.register(audiohookRoutes, {
    ...deps,
    apiKey: config.audiohook.apiKey,
    clientSecret: config.audiohook.clientSecret,
  });
  await app.register(forkRoutes, { ...deps, username: config.fork.username, password: config.fork.password });
}
