/**
 * An RTP receive worker thread (DESIGN.md "Keeping the media path real-time"): owns the UDP sockets of
 * its calls, does all per-packet work (SSRC lock, jitter buffer, decode, DTMF masking, pause gate) and
 * sends the main thread only blocks (ArrayBuffer transfer), segments, objections and periodic stats.
 * Blocks, segments and stats of every call wait in one outbox that the worker's 20 ms tick sends as a
 * single message: one crossing of the thread boundary per tick instead of one per block (ten per call
 * per second), for at most a tick of added latency. Replies and events the main thread acts on (ack,
 * allocated, released, objection, error) go at once, after whatever the outbox holds, so order is kept.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { RtpCallMedia } from './rtp.call.ts';
import type { BatchItem, FromWorker, ToWorker, WorkerOptions } from './rtp.types.ts';

const opts = workerData as WorkerOptions;
if (!parentPort) throw new Error('rtp.worker.ts runs only as a worker thread');
const port = parentPort;

/** Period of the worker's clock: jitter-buffer release, idle timeline, stats, and the outbox. */
const TICK_MS = 20;

interface WorkerCall {
  readonly media: RtpCallMedia;
  readonly sockets: Socket[];
}

const calls = new Map<string, WorkerCall>();
let outbox: BatchItem[] = [];
let transfers: ArrayBuffer[] = [];

/** Queues a message for the next tick's batch. */
function queue(m: BatchItem, buffer?: ArrayBuffer): void {
  outbox.push(m);
  if (buffer) transfers.push(buffer);
}

/** Sends what the outbox holds as one message. */
function flush(): void {
  if (outbox.length === 0) return;
  port.postMessage({ type: 'batch', items: outbox } satisfies FromWorker, transfers);
  outbox = [];
  transfers = [];
}

/** Sends `m` now, after the outbox so that nothing overtakes what was queued before it. */
function post(m: FromWorker): void {
  flush();
  port.postMessage(m);
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'allocate':
      void allocate(m);
      return;
    case 'pause':
      calls.get(m.callId)?.media.pipeline.pause();
      post({ type: 'ack', callId: m.callId });
      return;
    case 'resume':
      calls.get(m.callId)?.media.pipeline.resume();
      post({ type: 'ack', callId: m.callId });
      return;
    case 'release':
      release(m.callId);
      return;
  }
});

async function allocate(m: Extract<ToWorker, { type: 'allocate' }>): Promise<void> {
  const callId = m.callId;
  const media = new RtpCallMedia(
    m.streams,
    m.options,
    opts,
    {
      block: (meta, buffer) => queue({ type: 'block', callId, meta, buffer }, buffer),
      segment: (ev) => queue({ type: 'segment', callId, ev }),
      stats: (stats) => queue({ type: 'stats', callId, stats }),
      objection: (ev) => post({ type: 'objection', callId, ev }),
      error: (message) => post({ type: 'error', callId, message }),
    },
    performance.now(),
  );
  const call: WorkerCall = { media, sockets: [] };
  for (let i = 0; i < m.ports.length; i++) {
    const rtpPort = m.ports[i] as number;
    const stream = i;
    try {
      const s = await bind(rtpPort);
      s.on('message', (msg) => media.onPacket(stream, msg, performance.now()));
      call.sockets.push(s);
      if (opts.drainRtcp) {
        const r = await bind(rtpPort + 1);
        r.on('message', () => undefined); // RTCP is not used; draining spares the sender ICMP errors
        call.sockets.push(r);
      }
    } catch (e) {
      for (const s of call.sockets) s.close();
      post({ type: 'allocated', callId, failedPort: rtpPort, error: (e as Error).message });
      return;
    }
  }
  calls.set(callId, call);
  post({ type: 'allocated', callId });
}

function bind(p: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4', recvBufferSize: 256 * 1024 });
    s.once('error', (e) => {
      s.close();
      reject(e);
    });
    s.bind(p, opts.bindAddress, () => {
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      resolve(s);
    });
  });
}

function release(callId: string): void {
  const call = calls.get(callId);
  if (!call) return;
  calls.delete(callId);
  for (const s of call.sockets) s.close();
  post({ type: 'released', callId, stats: call.media.close() });
}

// One clock for every call of the worker, and the outbox goes with it.
setInterval(() => {
  const now = performance.now();
  for (const call of calls.values()) call.media.tick(now);
  flush();
}, TICK_MS);

post({ type: 'ready' });
