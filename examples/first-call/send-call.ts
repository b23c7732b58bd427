/**
 * Sends one call to a running Ecoute as Twilio Media Streams would: a signed WebSocket upgrade, `start`
 * with the call's facts, 8 s of µ-law audio on both tracks (agent 440 Hz, customer 1000 Hz), then `stop`.
 * Usage: ECOUTE_TWILIO_AUTH_TOKEN=demo node --import tsx examples/first-call/send-call.ts [http://localhost:8080]
 * (the token must be the one the server was started with).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { twilioSignature } from '../../src/capture/twilio/twilio.signature.ts';
import { sine } from '../../src/media/tones.ts';
import { linearToUlaw } from '../../src/media/g711.ts';

const base = new URL(process.argv[2] ?? 'http://localhost:8080');
const token = process.env.ECOUTE_TWILIO_AUTH_TOKEN ?? 'demo';
const url = `ws://${base.host}/ingest/twilio?ts=${Math.floor(Date.now() / 1000)}&nonce=${randomBytes(6).toString('hex')}`;
const ws = new WebSocket(url, { headers: { 'x-twilio-signature': twilioSignature(token, url) } });
const ulaw = (pcm: Int16Array): string => Buffer.from(pcm.map((s) => linearToUlaw(s))).toString('base64');

ws.on('unexpected-response', (_req, res) => {
  console.error(
    `refused: HTTP ${res.statusCode} (is the server started with the same ECOUTE_TWILIO_AUTH_TOKEN?)`,
  );
  process.exit(1);
});
ws.on('close', (code, reason) => console.log(`stream closed: ${code} ${reason.toString() || ''}`));
ws.on('open', () => {
  const send = (m: unknown): void => ws.send(JSON.stringify(m));
  const now = Date.now();
  send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  send({
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZdemo',
    start: {
      streamSid: 'MZdemo',
      accountSid: 'ACdemo',
      callSid: `CA${randomBytes(8).toString('hex')}`,
      tracks: ['inbound', 'outbound'],
      customParameters: {
        agent: 'a1',
        queue: 'ordres',
        direction: 'inbound',
        customerNumber: '+33612345678',
        noticeVersion: '2',
        noticeEndedAt: String(now - 1000),
      },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
  let seq = 2;
  for (let chunk = 1; chunk <= 400; chunk++) {
    const ts = String((chunk - 1) * 20);
    send({
      event: 'media',
      sequenceNumber: String(seq++),
      streamSid: 'MZdemo',
      media: { track: 'inbound', chunk: String(chunk), timestamp: ts, payload: ulaw(sine(1000, 20)) },
    });
    send({
      event: 'media',
      sequenceNumber: String(seq++),
      streamSid: 'MZdemo',
      media: { track: 'outbound', chunk: String(chunk), timestamp: ts, payload: ulaw(sine(440, 20)) },
    });
  }
  send({
    event: 'stop',
    sequenceNumber: String(seq),
    streamSid: 'MZdemo',
    stop: { accountSid: 'ACdemo', callSid: 'CAdemo' },
  });
  ws.close(1000, 'call ended');
});
