/**
 * Analytics throughput: seconds of two-channel call audio analysed per second of CPU (process CPU time,
 * one thread), for the offline talk analytics (VAD + figures) and the live signal sink. Target: at least
 * 500× real time per core. Baseline, same run, same audio: a plain loop computing RMS per 10 ms frame of
 * both channels (the least any analysis must do).
 */
import { cpuUsage } from 'node:process';
import type { BenchResult } from './bench.types.ts';
import { analyseTalk } from '../src/analytics/talk.analytics.ts';
import { LiveSignals } from '../src/analytics/realtime.signals.ts';
import { syntheticCall, type Burst } from '../src/analytics/testing.ts';
import type { StereoBlock } from '../src/media/pipeline.types.ts';

const CALL_MS = 300_000; // a 5-minute call
const ROUNDS = 6;

function cpuSeconds(fn: () => void): number {
  const t0 = cpuUsage();
  fn();
  const d = cpuUsage(t0);
  return (d.user + d.system) / 1e6;
}

function rmsBaseline(pcm: Int16Array): number {
  let acc = 0;
  for (let f = 0; f + 160 <= pcm.length; f += 160) {
    let a = 0;
    let b = 0;
    for (let i = f; i < f + 160; i += 2) {
      const x = pcm[i] as number;
      const y = pcm[i + 1] as number;
      a += x * x;
      b += y * y;
    }
    acc += Math.sqrt(a / 80) + Math.sqrt(b / 80);
  }
  return acc;
}

function turns(): Burst[] {
  const out: Burst[] = [];
  for (let t = 0, k = 0; t < CALL_MS - 4000; t += 4000, k++)
    out.push({
      channel: (k % 2) as 0 | 1,
      startMs: t + 200,
      endMs: t + 3600,
      kind: k % 3 === 0 ? 'speech' : 'tone',
    });
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const pcm = syntheticCall(CALL_MS, turns());
  const audioS = (CALL_MS / 1000) * ROUNDS;
  let sink = 0;
  const base = cpuSeconds(() => {
    for (let r = 0; r < ROUNDS; r++) sink += rmsBaseline(pcm);
  });
  const offline = cpuSeconds(() => {
    for (let r = 0; r < ROUNDS; r++) sink += analyseTalk(pcm, []).agent.talkMs;
  });
  const live = cpuSeconds(() => {
    for (let r = 0; r < ROUNDS; r++) {
      const s = new LiveSignals(() => sink++);
      for (let seq = 0; seq * 320 < pcm.length; seq++) {
        const part = pcm.subarray(seq * 320, seq * 320 + 320);
        const block: StereoBlock = {
          seq,
          startSample: seq * 160,
          startMs: seq * 20,
          frames: part.length / 2,
          channels: 2,
          format: 'pcmu/8000/2',
          pcmu: new Uint8Array(0),
          pcm: part,
          buffer: pcm.buffer as ArrayBuffer,
          paused: false,
        };
        s.onBlock(block);
      }
    }
  });
  await Promise.resolve();
  const rt = (cpu: number): number => Math.round(audioS / Math.max(cpu, 1e-6));
  const baseline = rt(base);
  const note = `5-min stereo call × ${ROUNDS}; checksum ${sink > 0 ? 'ok' : 'zero'}`;
  return [
    {
      name: 'analytics: talk analytics (VAD + figures)',
      value: rt(offline),
      unit: '× real time per core',
      baseline,
      ratio: rt(offline) / baseline,
      target: '>= 500',
      met: rt(offline) >= 500,
      note,
    },
    {
      name: 'analytics: live signals sink',
      value: rt(live),
      unit: '× real time per core',
      baseline,
      ratio: rt(live) / baseline,
      target: '>= 500',
      met: rt(live) >= 500,
      note,
    },
  ];
}
