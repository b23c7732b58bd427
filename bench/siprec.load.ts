/**
 * The SIPREC load generator of bench/siprec.bench.ts, in its own process: a small SIP UAC (UDP or TCP)
 * opens N recording sessions (multipart INVITE with two sendonly streams and RFC 7865 metadata), sends
 * real-time 20 ms PCMU packets to both answered ports of every call, prints `media-start` / `media-done` around the media and waits for
 * `bye` on stdin, then ends every session with BYE and prints `{"sent":…,"answered":…,"setupMs":…}`.
 * Usage: node --import tsx bench/siprec.load.ts <sipPort> <udp|tcp> <calls> <durationMs>
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { once } from 'node:events';
import { encodeG711 } from '../src/media/g711.ts';
import { writeRtpHeader } from '../src/media/rtp.parser.ts';
import { sine } from '../src/media/tones.ts';
import { parseSipMessage } from '../src/capture/siprec/sip.parser.ts';
import { SipStreamFramer } from '../src/capture/siprec/sip.framer.ts';
import type { SipMessage } from '../src/capture/siprec/sip.message.ts';

const [sipPort, transport, callsArg, durationArg] = process.argv.slice(2);
const SIP_PORT = Number(sipPort);
const TCP = transport === 'tcp';
const CALLS = Number(callsArg);
const DURATION_MS = Number(durationArg);

const udp = createSocket('udp4');
udp.bind(0, '127.0.0.1');
await once(udp, 'listening');
const tcp = TCP ? connect({ host: '127.0.0.1', port: SIP_PORT }) : undefined;
if (tcp) await once(tcp, 'connect');
const localPort = tcp ? (tcp.localPort ?? 0) : udp.address().port;
const waiters = new Map<string, (m: SipMessage) => void>();

function deliver(m: SipMessage): void {
  const id = m.headers.find((h) => h.key === 'call-id')?.value ?? '';
  if (m.kind === 'response' && m.status < 200) return;
  waiters.get(id)?.(m);
}
udp.on('message', (b) => deliver(parseSipMessage(b)));
const framer = new SipStreamFramer();
tcp?.on('data', (c: Buffer) => {
  for (const r of framer.push(c)) if (r.ok) deliver(r.message);
});

function send(text: string): void {
  if (tcp) tcp.write(text);
  else udp.send(text, SIP_PORT, '127.0.0.1');
}

function request(callId: string, text: string): Promise<SipMessage> {
  return new Promise((resolve) => {
    waiters.set(callId, resolve);
    send(text);
  });
}

const T = TCP ? 'TCP' : 'UDP';
const head = (method: string, i: number, cseq: number, toTag = ''): string[] => [
  `${method} sip:srs@127.0.0.1:${SIP_PORT} SIP/2.0`,
  `Via: SIP/2.0/${T} 127.0.0.1:${localPort};branch=z9hG4bK-${method}-${i}-${cseq}`,
  `From: <sip:src@127.0.0.1>;tag=src${i}`,
  `To: <sip:srs@127.0.0.1>${toTag}`,
  `Call-ID: bench-${process.pid}-${i}`,
  `CSeq: ${cseq} ${method}`,
  `Contact: <sip:src@127.0.0.1:${localPort};transport=${T.toLowerCase()}>;+sip.src`,
  'Max-Forwards: 70',
];

function invite(i: number): string {
  const m = (label: number): string =>
    `m=audio ${20000 + 2 * label} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendonly\r\na=label:${label}\r\n`;
  const sdp = `v=0\r\no=load 1 1 IN IP4 127.0.0.1\r\ns=SIPREC\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${m(1)}${m(2)}`;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?><recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>complete</datamode>' +
    '<session session_id="s"/><participant participant_id="p1"><nameID aor="sip:+33140000000@carrier.example"/></participant>' +
    '<participant participant_id="p2"><nameID aor="sip:1009@pbx.example"/></participant>' +
    '<stream stream_id="s1" session_id="s"><label>1</label></stream><stream stream_id="s2" session_id="s"><label>2</label></stream>' +
    '<participantstreamassoc participant_id="p1"><send>s1</send></participantstreamassoc>' +
    '<participantstreamassoc participant_id="p2"><send>s2</send></participantstreamassoc></recording>';
  const body =
    `--b\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n--b\r\nContent-Type: application/rs-metadata+xml\r\n` +
    `Content-Disposition: recording-session\r\n\r\n${xml}\r\n--b--\r\n`;
  return [
    ...head('INVITE', i, 1),
    'Require: siprec',
    `X-Ecoute-Notice: version=2;ended=${new Date(Date.now() - 1000).toISOString()}`,
    'X-Queue: ordres',
    'Content-Type: multipart/mixed;boundary=b',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

interface Call {
  readonly i: number;
  readonly ports: number[];
  readonly toTag: string;
}

const t0 = performance.now();
const calls: Call[] = [];
// Opened in small batches, as an SBC would under a burst, without overrunning the UDP socket buffers.
for (let b = 0; b < CALLS; b += 20) {
  const batch = Array.from({ length: Math.min(20, CALLS - b) }, (_, k) => b + k);
  const answers = await Promise.all(batch.map((i) => request(`bench-${process.pid}-${i}`, invite(i))));
  answers.forEach((a, k) => {
    const i = batch[k] ?? 0;
    if (a.kind !== 'response' || a.status !== 200) return;
    const to = a.headers.find((h) => h.key === 'to')?.value ?? '';
    const toTag = to.slice(to.indexOf('>') + 1);
    const ports = [...a.body.toString().matchAll(/m=audio (\d+)/g)].map((x) => Number(x[1]));
    send([...head('ACK', i, 1, toTag), 'Content-Length: 0', '', ''].join('\r\n'));
    if (ports.every((p) => p > 9)) calls.push({ i, ports, toTag });
  });
}
const setupMs = performance.now() - t0;

const tone = new Uint8Array(160);
encodeG711('pcmu', sine(440, 20, 6000), tone);
const rtp = createSocket({ type: 'udp4', sendBufferSize: 8 * 1024 * 1024 });
const targets = calls.flatMap((c) =>
  c.ports.map((port, k) => ({ port, ssrc: (c.i << 1) | k, b: new Uint8Array(172) })),
);
for (const t of targets) t.b.set(tone, 12);
let sent = 0;
let tick = 0;
process.stdout.write('media-start\n');
const start = performance.now();
await new Promise<void>((done) => {
  const step = (): void => {
    for (const t of targets) {
      writeRtpHeader(t.b, {
        payloadType: 0,
        sequence: tick & 0xffff,
        timestamp: (tick * 160) >>> 0,
        ssrc: t.ssrc,
      });
      rtp.send(t.b, t.port, '127.0.0.1');
      sent++;
    }
    tick++;
    const next = start + tick * 20;
    if (next - start >= DURATION_MS) return done();
    setTimeout(step, Math.max(0, next - performance.now()));
  };
  step();
});
process.stdout.write('media-done\n');
await once(process.stdin, 'data');
for (const c of calls)
  await request(
    `bench-${process.pid}-${c.i}`,
    [...head('BYE', c.i, 2, c.toTag), 'Content-Length: 0', '', ''].join('\r\n'),
  );
process.stdout.write(
  `${JSON.stringify({ sent, answered: calls.length, setupMs: Math.round(setupMs), mediaMs: tick * 20 })}\n`,
);
rtp.close();
udp.close();
tcp?.destroy();
process.stdin.destroy();
