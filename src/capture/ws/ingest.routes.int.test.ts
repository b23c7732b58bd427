import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { FakeClock } from '../../clock.ts';
import { loadConfig } from '../../config/config.ts';
import { silentLogger } from '../../log.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { RecordingSink } from '../testing/recording.sink.ts';
import { connect } from '../testing/ws.peer.ts';
import { registerIngest } from './ingest.routes.ts';

test('registerIngest mounts the three endpoints from the configuration, each with its own authentication', async () => {
  const dir = tempDir('ecoute-ingest-');
  const config = loadConfig({
    env: {},
    overrides: {
      'twilio.authToken': 't',
      'audiohook.apiKey': 'k',
      'fork.username': 'u',
      'fork.password': 'p',
    },
  });
  const app = Fastify();
  await registerIngest(app, config, {
    sink: new RecordingSink({ dir: dir.path }),
    clock: new FakeClock(),
    log: silentLogger,
  });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  try {
    await assert.rejects(connect(`${base}/ingest/twilio?ts=1`), /HTTP 403/);
    await assert.rejects(connect(`${base}/ingest/fork`, { protocols: ['audio.jambonz.org'] }), /HTTP 401/);
    const ah = await connect(`${base}/ingest/audiohook`, { headers: { 'x-api-key': 'k' } });
    ah.ws.close();
    await ah.closed;
  } finally {
    await app.close();
    dir.remove();
  }
});
