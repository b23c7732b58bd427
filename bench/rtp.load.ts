/**
 * The RTP load generator of bench/rtp.bench.ts, in its own process: sends real-time 20 ms G.711 packets
 * (a 440 Hz tone) to every port given, for the given seconds, then prints `{"sent":N}`.
 * Usage: node --import tsx bench/rtp.load.ts <durationMs> <port,port,...>
 */
import { createSocket } from 'node:dgram';
import { encodeG711 } from '../src/media/g711.ts';
import { writeRtpHeader } from '../src/media/rtp.parser.ts';
import { sine } from '../src/media/tones.ts';

const durationMs = Number(process.argv[2]);
const ports = (process.argv[3] ?? '').split(',').map(Number);
const tone = new Uint8Array(160);
encodeG711('pcmu', sine(440, 20, 6000), tone);
const packets = ports.map((_, i) => {
  const b = new Uint8Array(172);
  b.set(tone, 12);
  return { b, ssrc: 0x10000 + i };
});
const sock = createSocket({ type: 'udp4', sendBufferSize: 4 * 1024 * 1024 });
let sent = 0;
let tick = 0;
const start = performance.now();

function send(): void {
  for (let i = 0; i < ports.length; i++) {
    const p = packets[i]!;
    writeRtpHeader(p.b, {
      payloadType: 0,
      sequence: tick & 0xffff,
      timestamp: (tick * 160) >>> 0,
      ssrc: p.ssrc,
    });
    sock.send(p.b, ports[i], '127.0.0.1');
    sent++;
  }
  tick++;
  const next = start + tick * 20;
  if (next - start >= durationMs) {
    setTimeout(() => {
      process.stdout.write(JSON.stringify({ sent }) + '\n');
      sock.close();
    }, 50);
    return;
  }
  setTimeout(send, Math.max(0, next - performance.now()));
}
send();
