/**
 * An RTP receive worker thread (DESIGN.md "Keeping the media path real-time"): owns the UDP sockets of
 * its calls, does all per-packet work (SSRC lock, jitter buffer, decode, DTMF masking, pause gate) and
 * sends the main thread only blocks (ArrayBuffer transfer), segments, objections and periodic stats.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { CallMediaPipeline } from '../../media/pipeline.ts';
import { RtpStreamReceiver } from './rtp.stream.ts';
import type { FromWorker, RtpCallStats, ToWorker, WorkerOptions } from './rtp.types.ts';

const opts = workerData as WorkerOptions;
const port = parentPort;
if (!port) throw new Error('rtp.worker.ts runs only as a worker thread');

/** How far behind wall-clock time the timeline is pushed forward when no packet comes at all. */
const IDLE_ADVANCE_MS = 1000;

interface WorkerCall {
  readonly id: string;
  readonly pipeline: CallMediaPipeline;
  readonly streams: RtpStreamReceiver[];
  readonly sockets: Socket[];
  origin: number | undefined;
  lastStats: number;
}

const calls = new Map<string, WorkerCall>();
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'allocate':
      void allocate(m);
      return;
    case 'pause':
      calls.get(m.callId)?.pipeline.pause();
      post({ type: 'ack', callId: m.callId });
      return;
    case 'resume':
      calls.get(m.callId)?.pipeline.resume();
      post({ type: 'ack', callId: m.callId });
      return;
    case 'release':
      release(m.callId);
      return;
  }
});

async function allocate(m: Extract<ToWorker, { type: 'allocate' }>): Promise<void> {
  const pipeline = new CallMediaPipeline({
    channels: m.options.channels ?? 2,
    blockMs: opts.blockMs,
    maxSkewMs: opts.maxSkewMs,
    ...(m.options.objectionKey === undefined ? {} : { objectionKey: m.options.objectionKey }),
  });
  const call: WorkerCall = {
    id: m.callId,
    pipeline,
    streams: [],
    sockets: [],
    origin: undefined,
    lastStats: performance.now(),
  };
  const indexAt = (nowMs: number): number => {
    call.origin ??= nowMs;
    return Math.round((nowMs - call.origin) * 8);
  };
  m.streams.forEach((spec, i) => {
    const channel = Math.min(spec.channel ?? i, pipeline.channels - 1);
    call.streams.push(
      new RtpStreamReceiver(
        spec,
        {
          audio: (law, buf, off, len, index) => pipeline.pushG711(channel, law, buf, index, off, len),
          digit: (digit, index) => pipeline.telephoneEvent(channel, digit, index),
          indexAt,
        },
        opts.jitterMs,
        opts.relockMs,
      ),
    );
  });
  pipeline.addSink({
    onBlock: (b) => {
      const { pcm: _pcm, pcmu: _pcmu, buffer, ...meta } = b;
      post({ type: 'block', callId: call.id, meta, buffer }, [buffer]);
    },
  });
  pipeline.on('segment', (ev) => post({ type: 'segment', callId: call.id, ev }));
  pipeline.on('objection', (ev) => post({ type: 'objection', callId: call.id, ev }));
  pipeline.on('sinkError', (e) => post({ type: 'error', callId: call.id, message: String(e.error) }));

  for (let i = 0; i < m.ports.length; i++) {
    const rtpPort = m.ports[i] as number;
    const stream = call.streams[i] as RtpStreamReceiver;
    try {
      const s = await bind(rtpPort);
      s.on('message', (msg) => stream.onPacket(msg, performance.now()));
      call.sockets.push(s);
      if (opts.drainRtcp) {
        const r = await bind(rtpPort + 1);
        r.on('message', () => undefined); // RTCP is not used; draining spares the sender ICMP errors
        call.sockets.push(r);
      }
    } catch (e) {
      for (const s of call.sockets) s.close();
      post({ type: 'allocated', callId: m.callId, failedPort: rtpPort, error: (e as Error).message });
      return;
    }
  }
  calls.set(m.callId, call);
  post({ type: 'allocated', callId: m.callId });
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

function stats(call: WorkerCall): RtpCallStats {
  return { streams: call.streams.map((s) => ({ ...s.stats })), lateSamples: call.pipeline.lateSamples };
}

function release(callId: string): void {
  const call = calls.get(callId);
  if (!call) return;
  calls.delete(callId);
  for (const s of call.sockets) s.close();
  for (const s of call.streams) s.flush();
  call.pipeline.close();
  post({ type: 'released', callId, stats: stats(call) });
}

// The worker's clock: releases packets whose gap outlived the jitter window, keeps the timeline moving
// when a call is silent on both sides, and reports stats.
setInterval(() => {
  const now = performance.now();
  for (const call of calls.values()) {
    for (const s of call.streams) s.tick(now);
    if (call.origin !== undefined)
      call.pipeline.advanceTo(Math.round((now - call.origin - IDLE_ADVANCE_MS) * 8));
    if (now - call.lastStats >= opts.statsIntervalMs) {
      call.lastStats = now;
      post({ type: 'stats', callId: call.id, stats: stats(call) });
    }
  }
}, 20);

post({ type: 'ready' });
