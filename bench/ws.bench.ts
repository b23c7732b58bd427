/**
 * `npm run bench -- ws`: N concurrent Twilio Media Streams in real time (50 µ-law frames per second per
 * track, both tracks) from a separate load process (child_process.fork) on loopback, into the real
 * `/ingest/twilio` endpoint (signature check, JSON parsing, base64 and µ-law decoding, sequence and gap
 * tracking) with a counting sink. Reports frames lost, CPU and memory per call. Baseline: the same load
 * into a bare `ws` server that only counts frames (and closes on `stop`). Flags: --calls=100,250,
 * --seconds=5. The recorder's own cost (pipeline, spool, encryption) is not included.
 */
import { fork } from 'node:child_process';
import Fastify from 'fastify';
import websocket from '@fastify/websocket';
import { WebSocketServer } from 'ws';
import type { BenchResult } from './bench.types.ts';
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/log.ts';
import type { CallHandle, CaptureSink } from '../src/capture/capture.port.ts';
import { twilioRoutes } from '../src/capture/twilio/twilio.routes.ts';

const flag = (args: readonly string[], name: string, def: string): string =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;

const TOKEN = 'bench-token';

interface Measure {
  sent: number;
  received: number;
  cpuMs: number;
  rssBytes: number;
}

function runLoad(base: string, calls: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./ws.load.ts', import.meta.url).pathname, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let sent = -1;
    child.on('message', (m: { sent: number }) => (sent = m.sent));
    child.on('exit', (code) =>
      code === 0 && sent >= 0 ? resolve(sent) : reject(new Error(`load exited ${code}`)),
    );
    child.send({ base, token: TOKEN, calls, seconds, ts: Math.floor(Date.now() / 1000) });
  });
}

/** A bench sink: counts media frames (20 ms pushes) and ended calls; stores nothing. */
class CountingSink implements CaptureSink {
  frames = 0;
  ended = 0;
  #onEnd: (() => void) | undefined;
  waitEnded(n: number): Promise<void> {
    return this.ended >= n
      ? Promise.resolve()
      : new Promise((r) => (this.#onEnd = () => this.ended >= n && r()));
  }
  start(): Promise<CallHandle> {
    const handle: CallHandle = {
      callId: 'bench',
      push: () => void this.frames++,
      pushStereo: () => undefined,
      dtmf: () => undefined,
      pause: () => undefined,
      resume: () => undefined,
      gap: () => undefined,
      end: () => {
        this.ended++;
        this.#onEnd?.();
        return Promise.resolve();
      },
    };
    return Promise.resolve(handle);
  }
}

async function measure(
  calls: number,
  seconds: number,
  serve: () => Promise<{
    base: string;
    received: () => number;
    done: () => Promise<void>;
    close: () => Promise<void>;
  }>,
): Promise<Measure> {
  const server = await serve();
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const sent = await runLoad(server.base, calls, seconds);
  await server.done();
  const cpu = process.cpuUsage(cpu0);
  const rssBytes = process.memoryUsage().rss - rss0;
  const received = server.received();
  await server.close();
  return { sent, received, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes };
}

function ecoute(calls: number) {
  return async () => {
    const sink = new CountingSink();
    const app = Fastify();
    await app.register(websocket);
    await app.register(twilioRoutes, {
      sink,
      clock: systemClock,
      log: silentLogger,
      authToken: TOKEN,
      maxAgeMs: 120_000,
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return {
      base: `${base.replace('http', 'ws')}/ingest/twilio`,
      received: () => sink.frames,
      done: () => sink.waitEnded(calls),
      close: () => app.close(),
    };
  };
}

function bare(calls: number) {
  return async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    let frames = 0;
    let closed = 0;
    let onClosed: (() => void) | undefined;
    wss.on('connection', (ws) => {
      ws.on('message', (data) => {
        const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
        if (text.startsWith('{"event":"media"')) frames++;
        else if (text.includes('"stop"')) ws.close(1000);
      });
      ws.on('close', () => {
        closed++;
        if (closed >= calls) onClosed?.();
      });
    });
    const address = wss.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    return {
      base: `ws://127.0.0.1:${port}/ingest/twilio`,
      received: () => frames,
      done: () => (closed >= calls ? Promise.resolve() : new Promise<void>((r) => (onClosed = r))),
      close: () => new Promise<void>((r) => wss.close(() => r())),
    };
  };
}

export async function run(args: readonly string[] = []): Promise<BenchResult[]> {
  const seconds = Number(flag(args, 'seconds', '5'));
  const results: BenchResult[] = [];
  for (const calls of flag(args, 'calls', '100,250').split(',').map(Number)) {
    const base = await measure(calls, seconds, bare(calls));
    const ours = await measure(calls, seconds, ecoute(calls));
    const cpuPct = (m: Measure) => (m.cpuMs / (seconds * 1000) / calls) * 100;
    const lost = ours.sent - ours.received;
    results.push(
      {
        name: `${calls} calls: frames lost`,
        value: lost,
        unit: 'frames',
        baseline: base.sent - base.received,
        target: '0',
        met: lost === 0,
        note: `${ours.sent} sent`,
      },
      {
        name: `${calls} calls: CPU per call`,
        value: cpuPct(ours),
        unit: '% core',
        baseline: cpuPct(base),
        ratio: cpuPct(ours) / cpuPct(base),
        target: '<= 0.2 % core (500 calls per core)',
        met: cpuPct(ours) <= 0.2,
      },
      {
        name: `${calls} calls: memory per call`,
        value: ours.rssBytes / calls / 1024,
        unit: 'KiB',
        baseline: base.rssBytes / calls / 1024,
        ratio: ours.rssBytes / Math.max(1, base.rssBytes),
      },
    );
  }
  return results;
}
