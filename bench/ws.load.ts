/**
 * Load process for bench/ws.bench.ts (run with child_process.fork): opens N Twilio Media Streams to the
 * URL it is given, sends `start`, then every 20 ms one µ-law media frame per track per call (real time),
 * then `stop`, and reports `{sent}` (media frames) to the parent over IPC.
 */
import WebSocket from 'ws';
import { createHmac } from 'node:crypto';

interface Job {
  readonly base: string;
  readonly token: string;
  readonly calls: number;
  readonly seconds: number;
  readonly ts: number;
}

const payload = Buffer.alloc(160, 0xd5).toString('base64');

async function main(job: Job): Promise<void> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < job.calls; i++) {
    const url = `${job.base}?ts=${job.ts}&nonce=load${i}`;
    const signature = createHmac('sha1', job.token).update(url).digest('base64');
    const ws = new WebSocket(url, { headers: { 'X-Twilio-Signature': signature } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        streamSid: `MZ${i}`,
        start: {
          streamSid: `MZ${i}`,
          accountSid: 'AC0',
          callSid: `CA${i}`,
          tracks: ['inbound', 'outbound'],
          customParameters: { agent: `agent-${i}`, noticeVersion: '1', noticeEndedAt: String(job.ts * 1000) },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      }),
    );
    sockets.push(ws);
  }
  const seq = new Array<number>(job.calls).fill(1);
  const frames = (job.seconds * 1000) / 20;
  let sent = 0;
  for (let f = 0; f < frames; f++) {
    const due = performance.now() + 20;
    for (let i = 0; i < job.calls; i++) {
      for (const track of ['inbound', 'outbound']) {
        (sockets[i] as WebSocket).send(
          `{"event":"media","sequenceNumber":"${++(seq[i] as number)}","streamSid":"MZ${i}","media":{"track":"${track}","chunk":"${f + 1}","timestamp":"${f * 20}","payload":"${payload}"}}`,
        );
        sent++;
      }
    }
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  for (let i = 0; i < job.calls; i++) {
    const ws = sockets[i] as WebSocket;
    ws.send(
      JSON.stringify({
        event: 'stop',
        sequenceNumber: String(++(seq[i] as number)),
        streamSid: `MZ${i}`,
        stop: {},
      }),
    );
  }
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.once('close', () => r()))),
    ),
  );
  process.send?.({ sent });
}

process.once('message', (job: Job) => {
  main(job).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
