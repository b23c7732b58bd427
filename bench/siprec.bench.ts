/**
 * `npm run bench -- siprec`: N concurrent SIPREC recording sessions against the whole recording server
 * (SipServer, RtpEngine workers, SiprecRecorder, Recorder, spool on disk, SQLite), opened by a load
 * process (bench/siprec.load.ts: its own SIP UAC plus real-time G.711 RTP on loopback). Reports per N:
 * packets lost by Ecoute, CPU per call (and, on Linux, the main thread's share of it), memory per call,
 * spool bytes per call-second. Baseline: a bare node dgram receiver of the same RTP load in the same run
 * (bench/rtp.load.ts).
 * Flags: --calls=50,200 (e.g. --calls=1000), --seconds=5, --transport=udp|tcp, --workers=1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './bench.types.ts';
import { FakeClock } from '../src/clock.ts';
import { silentLogger } from '../src/log.ts';
import { parsePolicyText } from '../src/policy/parse.ts';
import { RtpEngine } from '../src/capture/rtp/rtp.engine.ts';
import { SipServer } from '../src/capture/siprec/sip.server.ts';
import { SiprecRecorder } from '../src/capture/siprec/siprec.recorder.ts';
import { loadTrunksFile } from '../src/capture/siprec/trunk.config.ts';
import { fixedDraw, recorderHarness } from '../src/capture/testing/recorder.harness.ts';
import { tempDir } from '../test/support/tmp.ts';

const flag = (args: readonly string[], name: string, def: string): string =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;

const MIFID = new URL('../examples/policies/mifid-fr.yaml', import.meta.url).pathname;
const TRUNKS = `trunks:
  - id: load
    match: { sources: [127.0.0.1] }
    agentAor: [{ regex: '^1\\d{3}$' }]
    agentId: [{ agentAor: true }]
    queue: [{ header: X-Queue }]
    notice: [{ header: X-Ecoute-Notice }]
`;

interface Measure {
  sent: number;
  received: number;
  cpuMs: number;
  rssBytes: number;
  spoolBytes?: number;
  mediaMs?: number;
  answered?: number;
  sealedBytesPerSecond?: number;
  /** CPU of the main thread alone over the media period (Linux), ms; the rest is workers and V8/libuv threads. */
  mainCpuMs?: number;
}

/** CPU (user + system) of this process's main thread so far, ms, from /proc (Linux); undefined elsewhere. */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return undefined;
  }
}

function child(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', new URL(script, import.meta.url).pathname, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

function lines(c: ChildProcess, on: (line: string) => void): Promise<void> {
  let buf = '';
  c.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      on(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  return new Promise((resolve, reject) =>
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load exited ${code}`)))),
  );
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
  let sent = 0;
  const c = child('./rtp.load.ts', [String(seconds * 1000), socks.map((_, i) => portBase + 2 * i).join(',')]);
  await lines(c, (l) => (sent = (JSON.parse(l) as { sent: number }).sent));
  const cpu = process.cpuUsage(cpu0);
  const rssBytes = process.memoryUsage().rss - rss0;
  for (const s of socks) s.close();
  return { sent, received, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes };
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

async function siprec(
  calls: number,
  seconds: number,
  portBase: number,
  transport: string,
  workers: number,
): Promise<Measure> {
  const tmp = tempDir('ecoute-bench-siprec-');
  const h = await recorderHarness(tmp.path, { clock: new FakeClock(Date.now()), rng: fixedDraw() });
  // A legal-obligation policy records every call in scope (rate 1): each of the N sessions is recorded.
  h.policies.set(parsePolicyText(readFileSync(MIFID, 'utf8'), 'yaml'));
  await h.db.agents.upsertTeam('table-negociation', 'Table');
  await h.db.agents.upsert({
    id: 'a9',
    displayName: 'Trader',
    teamId: 'table-negociation',
    extension: '1009',
  });
  await h.db.agents.ack('a9', 3);
  writeFileSync(join(tmp.path, 'trunks.yaml'), TRUNKS);
  const rtp = new RtpEngine({
    portMin: portBase,
    portMax: portBase + calls * 4 + 40,
    workers,
    bindAddress: '127.0.0.1',
    cooldownMs: 0,
  });
  let received = 0;
  const allocate = rtp.allocate.bind(rtp);
  rtp.allocate = async (...a) => {
    const c = await allocate(...a);
    c.on('end', (s) => (received += s.streams.reduce((n, x) => n + x.received, 0)));
    return c;
  };
  const handler = new SiprecRecorder({
    recorder: h.recorder,
    rtp,
    trunks: loadTrunksFile(join(tmp.path, 'trunks.yaml')),
    clock: h.clock,
    log: silentLogger,
    objectionKey: () => '9',
  });
  const sip = new SipServer({
    config: {
      host: '127.0.0.1',
      port: 0,
      transports: ['udp', 'tcp'],
      tlsPort: 0,
      tlsCert: undefined,
      tlsKey: undefined,
      maxCalls: calls + 10,
    },
    handler,
    log: silentLogger,
  });
  handler.attach((id) => sip.sendBye(id));
  await rtp.start();
  await sip.listen();
  const port = (transport === 'tcp' ? sip.ports().tcp : sip.ports().udp) ?? 0;
  const rss0 = process.memoryUsage().rss;
  let cpu0 = process.cpuUsage();
  let main0 = mainThreadCpuMs();
  const m: Measure = { sent: 0, received: 0, cpuMs: 0, rssBytes: 0 };
  const load = child('./siprec.load.ts', [String(port), transport, String(calls), String(seconds * 1000)]);
  await lines(load, (l) => {
    // Setup (INVITEs, policy, SQLite rows) is not per-packet work: CPU is counted over the media period.
    if (l === 'media-start') {
      cpu0 = process.cpuUsage();
      main0 = mainThreadCpuMs();
    } else if (l === 'media-done') {
      const cpu = process.cpuUsage(cpu0);
      const main1 = mainThreadCpuMs();
      if (main0 !== undefined && main1 !== undefined) m.mainCpuMs = main1 - main0;
      m.cpuMs = (cpu.user + cpu.system) / 1000;
      m.rssBytes = process.memoryUsage().rss - rss0;
      m.spoolBytes = dirBytes(join(tmp.path, 'spool'));
      load.stdin?.write('bye\n');
    } else if (l.startsWith('{')) {
      const r = JSON.parse(l) as { sent: number; answered: number; mediaMs: number };
      Object.assign(m, { sent: r.sent, answered: r.answered, mediaMs: r.mediaMs });
    }
  });
  const ids = [...h.recorder.active.values()].map((c) => c.info.recordingId);
  await Promise.all([...h.recorder.active.values()].map((c) => c.finished));
  let sealedBytes = 0;
  let sealedMs = 0;
  for (const id of ids) {
    const r = await h.db.recordings.get(id);
    sealedBytes += r?.sizeBytes ?? 0;
    sealedMs += r?.durationMs ?? 0;
  }
  m.sealedBytesPerSecond = sealedMs ? (1000 * sealedBytes) / sealedMs : 0;
  await sip.close();
  await rtp.stop();
  m.received = received;
  await h.close();
  tmp.remove();
  return m;
}

export async function run(args: readonly string[] = []): Promise<BenchResult[]> {
  const sizes = flag(args, 'calls', '50,200').split(',').map(Number);
  const seconds = Number(flag(args, 'seconds', '5'));
  const transport = flag(args, 'transport', 'udp');
  const workers = Number(flag(args, 'workers', '1'));
  const base = 30000 + 2 * Math.floor(Math.random() * 2000);
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const b = await bare(n, seconds, base);
    const m = await siprec(n, seconds, base + 9000, transport, workers);
    const lostPct = m.sent ? (100 * (m.sent - m.received)) / m.sent : 100;
    const cpuPerCall = (100 * m.cpuMs) / (seconds * 1000) / n;
    const bareCpu = (100 * b.cpuMs) / (seconds * 1000) / n;
    const callSeconds = ((m.answered ?? 0) * (m.mediaMs ?? 0)) / 1000;
    out.push(
      {
        name: `${n} calls: sessions answered recvonly`,
        value: m.answered ?? 0,
        unit: 'calls',
        target: `${n}`,
        met: m.answered === n,
      },
      {
        name: `${n} calls: packets lost by Ecoute`,
        value: lostPct,
        unit: '%',
        baseline: (100 * (b.sent - b.received)) / b.sent,
        target: '0',
        met: m.received >= m.sent,
      },
      {
        name: `${n} calls: CPU per call`,
        value: cpuPerCall,
        unit: '% of a core',
        baseline: bareCpu,
        ratio: cpuPerCall / bareCpu,
        target: '<= 0.1 (1,000 calls per core)',
        met: cpuPerCall <= 0.1,
      },
      ...(m.mainCpuMs === undefined
        ? []
        : [
            {
              name: `${n} calls: CPU per call, main thread only`,
              value: (100 * m.mainCpuMs) / (seconds * 1000) / n,
              unit: '% of a core',
              note: 'SIP, recorder, spool, SQLite; the rest of the CPU figure is the RTP worker, V8 GC and libuv threads (10 ms ticks)',
            },
          ]),
      {
        name: `${n} calls: memory per call`,
        value: m.rssBytes / n / 1024,
        unit: 'KiB RSS',
        baseline: b.rssBytes / n / 1024,
        target: '< 200 KiB',
        met: m.rssBytes / n / 1024 < 200,
      },
      {
        name: `${n} calls: spool bytes per call-second`,
        value: callSeconds ? (m.spoolBytes ?? 0) / callSeconds : 0,
        unit: 'B',
        note: 'spool on disk at the end of the media, chunks still in memory not counted',
      },
      {
        name: `${n} calls: sealed bytes per call-second`,
        value: m.sealedBytesPerSecond ?? 0,
        unit: 'B',
        note: 'as stored (vault.storage opus by default: two mono Opus streams); the spool holds PCMU stereo, 16,000 B/s',
      },
    );
  }
  return out;
}
