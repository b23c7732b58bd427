/**
 * Test helpers for the cluster layer: NATS availability (the machine's server, or ECOUTE_TEST_NATS_URL),
 * skipped with a visible notice when unreachable unless ECOUTE_TEST_REQUIRE_NATS=1, and block builders.
 */
import { createHmac } from 'node:crypto';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connect, sendJson } from '../capture/testing/ws.peer.ts';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { decodeG711, encodeG711, linearToUlaw } from '../media/g711.ts';
import type { ClusterMetrics, RejectionKind } from './nats.relay.ts';

// Tests are the one place besides src/config that reads the environment: they pick their test servers.
// eslint-disable-next-line no-restricted-properties
const env = process.env;
export const NATS_TEST_URL = env.ECOUTE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REQUIRED = env.ECOUTE_TEST_REQUIRE_NATS === '1';

let availability: Promise<boolean> | undefined;

export function natsAvailable(): Promise<boolean> {
  availability ??= (async () => {
    try {
      const nc = await natsConnect({ servers: NATS_TEST_URL, timeout: 2000, reconnect: false });
      await nc.close();
      return true;
    } catch (e) {
      if (REQUIRED)
        throw new Error(
          `ECOUTE_TEST_REQUIRE_NATS=1 but NATS is unreachable at ${NATS_TEST_URL}: ${(e as Error).message}`,
        );
      process.stderr.write(`\nNOTICE: NATS unreachable at ${NATS_TEST_URL}: NATS suites are SKIPPED.\n\n`);
      return false;
    }
  })();
  return availability;
}

/** A stereo block of `frames` samples per channel, with recognisable PCM values `agent` / `customer`. */
export function testBlock(seq: number, frames: number, agent: number, customer: number): StereoBlock {
  const n = frames * 2;
  const buffer = new ArrayBuffer(n * 3);
  const pcm = new Int16Array(buffer, 0, n);
  for (let i = 0; i < frames; i++) {
    pcm[2 * i] = agent;
    pcm[2 * i + 1] = customer;
  }
  const pcmu = new Uint8Array(buffer, n * 2, n);
  encodeG711('pcmu', pcm, pcmu);
  decodeG711('pcmu', pcmu, pcm); // the PCM view is what the µ-law holds, as in the media pipeline
  const startSample = seq * frames;
  return {
    seq,
    startSample,
    startMs: startSample / 8,
    frames,
    channels: 2,
    format: 'pcmu/8000/2',
    pcmu,
    pcm,
    paused: false,
    buffer,
  };
}

/** Block `seq` of a stereo tone (agent 440 Hz, customer 1 kHz): audio whose bytes never repeat in a block. */
export function toneBlock(seq: number, frames = 800): StereoBlock {
  const b = testBlock(seq, frames, 0, 0);
  for (let i = 0; i < frames; i++) {
    const t = (b.startSample + i) / 8000;
    b.pcm[2 * i] = Math.round(6000 * Math.sin(2 * Math.PI * 440 * t));
    b.pcm[2 * i + 1] = Math.round(6000 * Math.sin(2 * Math.PI * 1000 * t));
  }
  encodeG711('pcmu', b.pcm, b.pcmu);
  decodeG711('pcmu', b.pcmu, b.pcm);
  return b;
}

/**
 * The cluster's rejection counts as a node keeps them (the hook of ecoute_cluster_rejected_total), which a
 * test can await: a dropped message leaves no other trace to wait for. Forwards to `inner` when given.
 */
export class RejectionCounter implements ClusterMetrics {
  readonly #counts = new Map<RejectionKind, number>();
  readonly #waiters: { kind: RejectionKind; n: number; resolve: () => void }[] = [];
  readonly #inner: ClusterMetrics | undefined;

  constructor(inner?: ClusterMetrics) {
    this.#inner = inner;
  }

  clusterRejected(kind: RejectionKind): void {
    this.#inner?.clusterRejected(kind);
    this.#counts.set(kind, this.count(kind) + 1);
    for (const w of [...this.#waiters])
      if (this.count(w.kind) >= w.n) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
  }

  count(kind: RejectionKind): number {
    return this.#counts.get(kind) ?? 0;
  }

  /** Resolves once `kind` has been counted `n` times in all. */
  reach(kind: RejectionKind, n: number): Promise<void> {
    if (this.count(kind) >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ kind, n, resolve }));
  }
}

/**
 * A Twilio Media Streams call (the simplest real peer) into a node's /ingest/twilio, signed with the
 * configured auth token: `send(frames)` pushes 20 ms frames of both tracks at the pace asked, `stop()`
 * ends the stream. Agent (outbound) 440 Hz, customer (inbound) 1000 Hz.
 */
export interface TwilioCall {
  readonly callSid: string;
  /** Frames sent so far (20 ms each, per track). */
  readonly sent: number;
  send(frames: number): void;
  stop(): void;
  readonly closed: Promise<{ code: number; reason: string }>;
}

const tone = (hz: number, i: number): number => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
const ulawFrame = (hz: number, f: number): Buffer =>
  Buffer.from(Array.from({ length: 160 }, (_, i) => linearToUlaw(tone(hz, f * 160 + i))));

export async function twilioCall(
  origin: string,
  authToken: string,
  callSid: string,
  extension = '1001',
): Promise<TwilioCall> {
  const url = `${origin.replace(/^http/, 'ws')}/ingest/twilio?ts=${Math.floor(Date.now() / 1000)}&nonce=${callSid}`;
  const peer = await connect(url, {
    headers: { 'X-Twilio-Signature': createHmac('sha1', authToken).update(url).digest('base64') },
  });
  let seq = 0;
  let frame = 0;
  sendJson(peer.ws, { event: 'connected', protocol: 'Call', version: '1.0.0' });
  sendJson(peer.ws, {
    event: 'start',
    sequenceNumber: String(++seq),
    streamSid: `MZ${callSid}`,
    start: {
      streamSid: `MZ${callSid}`,
      accountSid: 'AC1',
      callSid,
      tracks: ['inbound', 'outbound'],
      customParameters: { extension, noticeVersion: '2', noticeEndedAt: String(Date.now()) },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  });
  return {
    callSid,
    get sent() {
      return frame;
    },
    send(n: number) {
      for (let k = 0; k < n; k++, frame++) {
        for (const [track, hz] of [
          ['inbound', 1000],
          ['outbound', 440],
        ] as const) {
          sendJson(peer.ws, {
            event: 'media',
            sequenceNumber: String(++seq),
            streamSid: `MZ${callSid}`,
            media: {
              track,
              chunk: String(frame + 1),
              timestamp: String(frame * 20),
              payload: ulawFrame(hz, frame).toString('base64'),
            },
          });
        }
      }
    },
    stop() {
      sendJson(peer.ws, {
        event: 'stop',
        sequenceNumber: String(++seq),
        streamSid: `MZ${callSid}`,
        stop: {},
      });
      peer.ws.close();
    },
    closed: peer.closed,
  };
}
