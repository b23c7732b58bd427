/**
 * The RTP worker's per-packet path in one thread, for a profiler: N two-stream calls (RtpCallMedia, the
 * object the worker drives) fed synthetic 20 ms PCMU packets (the load's 440 Hz tone) on a simulated
 * clock, with the worker's 20 ms tick and its outbox posted through a MessageChannel. No sockets: what it
 * measures is the work above a bare dgram receiver. Not a benchmark of the runner (no BenchResult);
 * prints CPU per packet and per call.
 *
 *   node --import tsx bench/rtp.profile.ts --calls=300 --seconds=20
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/rtp.profile.ts
 */
import { MessageChannel } from 'node:worker_threads';
import { RtpCallMedia, type RtpCallOutput } from '../src/capture/rtp/rtp.call.ts';
import type { BatchItem } from '../src/capture/rtp/rtp.types.ts';
import { encodeG711 } from '../src/media/g711.ts';
import { writeRtpHeader } from '../src/media/rtp.parser.ts';
import { sine } from '../src/media/tones.ts';

const flag = (name: string, def: number): number =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def);
const calls = flag('calls', 300);
const seconds = flag('seconds', 20);

const { port1, port2 } = new MessageChannel();
let blocks = 0;
port2.on('message', (m: { items: BatchItem[] }) => {
  for (const item of m.items) if (item.type === 'block') blocks++;
});
let outbox: BatchItem[] = [];
let transfers: ArrayBuffer[] = [];
const out = (callId: string): RtpCallOutput => ({
  block: (meta, buffer) => {
    outbox.push({ type: 'block', callId, meta, buffer });
    transfers.push(buffer);
  },
  segment: (ev) => outbox.push({ type: 'segment', callId, ev }),
  stats: (stats) => outbox.push({ type: 'stats', callId, stats }),
  objection: () => undefined,
  error: () => undefined,
});

const options = { jitterMs: 60, relockMs: 1000, blockMs: 100, maxSkewMs: 500, statsIntervalMs: 1000 };
const spec = { payloadTypes: [{ pt: 0, codec: 'PCMU' as const }] };
const media = Array.from(
  { length: calls },
  (_, i) =>
    new RtpCallMedia(
      [
        { label: 'a', ...spec },
        { label: 'c', ...spec },
      ],
      {},
      options,
      out(`c${i}`),
      0,
    ),
);

const packet = new Uint8Array(172);
encodeG711('pcmu', sine(440, 20, 6000), packet.subarray(12));
const cpu0 = process.cpuUsage();
for (let tick = 0; tick < seconds * 50; tick++) {
  const now = tick * 20;
  for (let c = 0; c < calls; c++) {
    for (let s = 0; s < 2; s++) {
      writeRtpHeader(packet, {
        payloadType: 0,
        sequence: tick & 0xffff,
        timestamp: (tick * 160) >>> 0,
        ssrc: 0x10000 + 2 * c + s,
      });
      // dgram hands every datagram over in a buffer of its own
      (media[c] as RtpCallMedia).onPacket(s, Buffer.from(packet), now + s);
    }
  }
  for (const m of media) m.tick(now + 2);
  port1.postMessage({ type: 'batch', items: outbox }, transfers);
  outbox = [];
  transfers = [];
  if (tick % 10 === 0) await new Promise((r) => setImmediate(r));
}
await new Promise((r) => setImmediate(r));
const cpu = process.cpuUsage(cpu0);
const us = cpu.user + cpu.system;
const packets = seconds * 50 * calls * 2;
console.log(
  JSON.stringify({
    calls,
    seconds,
    blocks,
    usPerPacket: +(us / packets).toFixed(3),
    percentOfCorePerCall: +((100 * us) / 1000 / (seconds * 1000) / calls).toFixed(4),
  }),
);
port1.close();
