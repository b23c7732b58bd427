/**
 * `npm run bench -- cluster`: what sealing costs on NATS (R-SEC-4, src/cluster/sealed.wire.ts). A live
 * block is 100 ms of stereo µ-law (1,600 bytes); each is sealed once on the node holding the call and opened
 * once per node listening. Figures, per block, best of 7 rounds (rounds alternate with their baseline so
 * that noise on a shared machine hits both):
 * - seal + open alone, against a bare JSON encode of the same block (the brief's baseline);
 * - the whole live path (encode, seal, open, decode) against the same path in clear (before sealing);
 * - a node's CPU to seal every block of 1,000 calls (every block is published, listened to or not);
 * - one announcement snapshot of 100 calls, sealed and opened, against its JSON encode and decode.
 * Flags: --blocks=20000 (per round).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { BenchResult } from './bench.types.ts';
import {
  CALLS_SUBJECT,
  decodeAnnouncement,
  decodeLive,
  encodeAnnouncement,
  encodeBlock,
  liveContext,
  type CallsAnnouncement,
} from '../src/cluster/live.wire.ts';
import { openSealed, Sealer } from '../src/cluster/sealed.wire.ts';
import { toneBlock } from '../src/cluster/testing.ts';

const flag = (args: readonly string[], name: string, def: string): string =>
  args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? def;

/** µs per operation: the best of `rounds` rounds of `n` operations, `a` and `b` alternating. */
function pair(n: number, a: () => void, b: () => void, rounds = 7): [number, number] {
  let bestA = Infinity;
  let bestB = Infinity;
  const time = (f: () => void) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    return ((performance.now() - t) * 1000) / n;
  };
  for (let r = 0; r < rounds; r++) {
    bestA = Math.min(bestA, time(a));
    bestB = Math.min(bestB, time(b));
  }
  return [bestA, bestB];
}

const round = (x: number, d = 2): number => Number(x.toFixed(d));

export function run(args: readonly string[]): Promise<BenchResult[]> {
  const n = Number(flag(args, 'blocks', '20000'));
  const key = randomBytes(32);
  const sealer = new Sealer(key);
  const callId = '7b0c5b0e-2f7a-4b7e-9d55-0c1f3f1d2a11';
  const context = liveContext(callId);
  const block = toneBlock(12);
  const plain = encodeBlock(block);
  const sealedOnce = sealer.seal(context, Date.now(), plain);
  let sink = 0; // keeps results alive so nothing is optimised away

  // 1. Seal + open alone vs a bare JSON encode of the block (header fields + audio as base64).
  const [crypto, json] = pair(
    n,
    () => {
      const s = sealer.seal(context, 1, plain);
      sink += openSealed(key, context, s).plaintext.length;
    },
    () => {
      sink += JSON.stringify({
        seq: block.seq,
        startSample: block.startSample,
        frames: block.frames,
        channels: block.channels,
        paused: block.paused,
        pcmu: Buffer.from(block.pcmu).toString('base64'),
      }).length;
    },
  );

  // 2. The whole live path per block, sealed vs in clear.
  const [sealedPath, clearPath] = pair(
    n,
    () => {
      const wire = sealer.seal(context, 1, encodeBlock(block));
      const m = decodeLive(openSealed(key, context, wire).plaintext);
      sink += m.kind === 'block' ? m.block.frames : 0;
    },
    () => {
      const m = decodeLive(encodeBlock(block));
      sink += m.kind === 'block' ? m.block.frames : 0;
    },
  );

  // 3. Sealing alone, as the publishing node pays it for every block of every call.
  const [sealOnly, encodeOnly] = pair(
    n,
    () => void (sink += sealer.seal(context, 1, encodeBlock(block)).length),
    () => void (sink += encodeBlock(block).length),
  );
  const calls = 1000;
  const corePercent = (us: number) => ((us * 10 * calls) / 1e6) * 100; // 10 blocks/s per call

  // 4. An announcement snapshot of 100 calls (every node, every 2 s).
  const snapshot: CallsAnnouncement = {
    v: 1,
    type: 'snapshot',
    nodeId: 'bench.ecoute.test:1:abcdef',
    calls: Array.from({ length: 100 }, (_, i) => ({
      callId: `${callId.slice(0, -4)}${String(i).padStart(4, '0')}`,
      recordingId: `${callId.slice(0, -4)}${String(i + 5000).padStart(4, '0')}`,
      nodeId: 'bench.ecoute.test:1:abcdef',
      team: 'support',
      agentId: `agent-${i}`,
      queue: 'sales',
      direction: 'inbound',
      policyId: 'qualite-2026-q4',
      purposes: ['quality'],
      liveListening: true,
      startedAt: 1_790_000_000_000 + i,
      state: 'recording',
    })),
  };
  const callsKey = randomBytes(32);
  const callsSealer = new Sealer(callsKey);
  const [annSealed, annJson] = pair(
    Math.max(100, Math.round(n / 20)),
    () => {
      const wire = callsSealer.seal(CALLS_SUBJECT, 1, encodeAnnouncement(snapshot));
      sink += decodeAnnouncement(openSealed(callsKey, CALLS_SUBJECT, wire).plaintext).v;
    },
    () => void (sink += decodeAnnouncement(encodeAnnouncement(snapshot)).v),
  );

  if (sink === 0) throw new Error('unreachable: results were consumed');
  const added = sealedPath - clearPath;
  return Promise.resolve([
    {
      name: `seal + open one live block (${plain.length} B, 100 ms stereo µ-law, ${sealedOnce.length - plain.length} B added)`,
      value: round(crypto),
      unit: 'µs',
      baseline: round(json),
      ratio: round(crypto / json),
      note: 'baseline: bare JSON encode of the block (audio as base64)',
    },
    {
      name: 'live path per block: encode + seal + open + decode',
      value: round(sealedPath),
      unit: 'µs',
      baseline: round(clearPath),
      ratio: round(sealedPath / clearPath),
      target: 'adds < 100 µs per block (a tenth of the 1 ms budget; block → browser is 21–54 ms)',
      met: added < 100,
      note: `adds ${round(added)} µs; baseline: the same path in clear`,
    },
    {
      name: `publishing node, ${calls} calls: CPU to encode and seal every block`,
      value: round(corePercent(sealOnly)),
      unit: '% of a core',
      baseline: round(corePercent(encodeOnly)),
      ratio: round(sealOnly / encodeOnly),
      note: `${round(sealOnly)} µs per block (10 blocks/s per call); baseline: encoding in clear (${round(encodeOnly)} µs)`,
    },
    {
      name: 'announcement snapshot of 100 calls: encode + seal + open + decode',
      value: round(annSealed),
      unit: 'µs',
      baseline: round(annJson),
      ratio: round(annSealed / annJson),
      note: 'baseline: the same JSON encode + decode in clear; one per node every 2 s',
    },
  ]);
}
