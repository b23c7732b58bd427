/**
 * `npm run bench -- rtp`: N concurrent two-stream calls of real-time G.711 RTP on loopback, sent by a load
 * process, received by the RtpEngine workers (full pipeline: jitter buffer, decode, DTMF masking, blocks
 * transferred to the main thread). Reports packets lost, CPU and memory per call. Baseline: a bare node
 * dgram receiver counting the same load in this process. Flags: --calls=100,300 (e.g. --calls=1000),
 * --seconds=5, --workers=1.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import type { BenchResult } from './bench.types.ts';
import { RtpEngine, type RtpCall } from '../src/capture/rtp/rtp.engine.ts';

const flag = (args: readonly string[], name: string, def: string): string =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;

interface Measure {
  sent: number;
  received: number;
  cpuMs: number;
  rssBytes: number;
}

function load(ports: number[], seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('./rtp.load.ts', import.meta.url).pathname,
        String(seconds * 1000),
        ports.join(','),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve((JSON.parse(out) as { sent: number }).sent)
        : reject(new Error(`load exited ${code}`)),
    );
  });
}

async function bare(calls: number, seconds: number, portBase: number): Promise<Measure> {
  const socks: Socket[] = [];
  let received = 0;
  for (let i = 0; i < calls * 2; i++) {
    const s = createSocket({ type: 'udp4', recvBufferSize: 256 * 1024 });
    await new Promise<void>((r) => s.bind(portBase + 2 * i, '127.0.0.1', r));
    s.on('message', () => received++);
    socks.push(s);
  }
  const rss0 = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const sent = await load(
    socks.map((_, i) => portBase + 2 * i),
    seconds,
  );
  const cpu = process.cpuUsage(cpu0);
  const rssBytes = process.memoryUsage().rss - rss0;
  for (const s of socks) s.close();
  return { sent, received, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes };
}

async function engine(calls: number, seconds: number, portBase: number, workers: number): Promise<Measure> {
  const e = new RtpEngine({
    portMin: portBase,
    portMax: portBase + calls * 4 + 10,
    bindAddress: '127.0.0.1',
    workers,
    cooldownMs: 0,
  });
  await e.start();
  const rss0 = process.memoryUsage().rss;
  const list: RtpCall[] = [];
  const spec = { payloadTypes: [{ pt: 0, codec: 'PCMU' as const }] };
  for (let i = 0; i < calls; i++) {
    const c = await e.allocate(`bench-${i}`, [
      { label: 'a', ...spec },
      { label: 'c', ...spec },
    ]);
    c.on('block', () => undefined);
    list.push(c);
  }
  const cpu0 = process.cpuUsage();
  const sent = await load(
    list.flatMap((c) => [...c.ports]),
    seconds,
  );
  const cpu = process.cpuUsage(cpu0);
  const rssBytes = process.memoryUsage().rss - rss0;
  let received = 0;
  for (const c of list) for (const s of (await c.release()).streams) received += s.received;
  await e.stop();
  return { sent, received, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes };
}

export async function run(args: readonly string[] = []): Promise<BenchResult[]> {
  const sizes = flag(args, 'calls', '100,300').split(',').map(Number);
  const seconds = Number(flag(args, 'seconds', '5'));
  const workers = Number(flag(args, 'workers', '1'));
  const base = 30000 + 2 * Math.floor(Math.random() * 2000);
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const b = await bare(n, seconds, base);
    const m = await engine(n, seconds, base + 8000, workers);
    const lostPct = (100 * (m.sent - m.received)) / m.sent;
    const bareLostPct = (100 * (b.sent - b.received)) / b.sent;
    const cpuPerCall = (100 * m.cpuMs) / (seconds * 1000) / n;
    const bareCpuPerCall = (100 * b.cpuMs) / (seconds * 1000) / n;
    out.push(
      {
        name: `${n} calls: packets lost`,
        value: lostPct,
        unit: '%',
        baseline: bareLostPct,
        target: '0',
        met: m.received === m.sent,
      },
      {
        name: `${n} calls: CPU per call`,
        value: cpuPerCall,
        unit: '% of a core',
        baseline: bareCpuPerCall,
        ratio: cpuPerCall / bareCpuPerCall,
        target: '<= 0.1 (1,000 calls per core)',
        met: cpuPerCall <= 0.1,
      },
      {
        name: `${n} calls: memory per call`,
        value: m.rssBytes / n / 1024,
        unit: 'KiB RSS',
        baseline: b.rssBytes / n / 1024,
        target: '< 200 KiB',
        met: m.rssBytes / n / 1024 < 200,
      },
    );
  }
  return out;
}
