/**
 * sipp (Debian sip-tester 3.6.1) as the SIPREC SRC: runs one scenario of test/e2e/sipp/ from a directory
 * holding the call's `audio.pcap` (play_pcap_audio, root only, PROTOCOLS.md C.2) and its `-inf` fields.
 * And the audio the tests send: one tone per party, PCMU 20 ms packets, two streams at P and P+2.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeG711 } from '../../../src/media/g711.ts';
import { writeRtpPcap, type RtpPcapStream } from '../../support/pcap.ts';
import { tempDir } from '../../support/tmp.ts';
import { freePort } from '../../support/ports.ts';

export const SIPP = '/usr/bin/sipp';
const scenarios = new URL('../sipp/', import.meta.url).pathname;

/** Skip notice unless ECOUTE_TEST_REQUIRE_SIPP=1 (then a missing sipp fails the suite). */
export function sippSkip(): string | false {
  if (existsSync(SIPP)) return false;
  if (process.env['ECOUTE_TEST_REQUIRE_SIPP'] === '1') throw new Error('sipp is required but not installed');
  const notice = 'sipp (Debian sip-tester) is not installed: SIPREC end-to-end tests skipped';
  process.stderr.write(`# ${notice}\n`);
  return notice;
}

/** sipp cannot take port 0 for -p / -mp: a port below the ephemeral range (test/support/ports.ts). */
export { freePort };

export interface SippCall {
  readonly scenario: string;
  readonly transport: 'u1' | 't1';
  readonly port: number;
  readonly pcap?: Uint8Array;
  /** -d: the length of the scenario's final `<pause/>`, ms. */
  readonly pauseMs?: number;
  readonly agentExtension?: string;
  /** When the caller notice ended (ISO), as the IVR reports it in X-Ecoute-Notice. */
  readonly noticeEndedAt: string;
  /** The agent a transfer hands the call to (siprec_pcap_transfer.xml). */
  readonly transferTo?: string;
  readonly queue?: string;
  readonly timeoutS?: number;
}

export interface SippResult {
  readonly code: number | null;
  readonly errors: string;
  /** Date.now() when sipp was started and when it exited. */
  readonly startedAt: number;
  readonly exitedAt: number;
}

export async function runSipp(c: SippCall): Promise<SippResult> {
  const dir = tempDir('ecoute-sipp-run-');
  try {
    if (c.pcap) writeFileSync(join(dir.path, 'audio.pcap'), c.pcap);
    const fields = [
      c.agentExtension ?? '1001',
      c.noticeEndedAt,
      c.queue ?? 'support',
      c.transferTo ?? '1002',
    ];
    writeFileSync(join(dir.path, 'fields.csv'), `SEQUENTIAL\n${fields.join(';')};\n`);
    const errFile = join(dir.path, 'err.log');
    const mediaPort = await freePort({ pair: true });
    const args = [
      `127.0.0.1:${c.port}`,
      ...['-sf', join(scenarios, c.scenario), '-inf', 'fields.csv', '-m', '1', '-t', c.transport],
      ...['-i', '127.0.0.1', '-p', String(await freePort()), '-mp', String(mediaPort)],
      ...['-d', String(c.pauseMs ?? 0), '-nostdin', '-timeout', `${c.timeoutS ?? 20}s`, '-timeout_error'],
      ...['-trace_err', '-error_file', errFile],
    ];
    const startedAt = Date.now();
    const child = spawn(SIPP, args, { cwd: dir.path, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    const exitedAt = Date.now();
    const errors = (existsSync(errFile) ? readFileSync(errFile, 'utf8') : '') + stderr;
    return { code, errors, startedAt, exitedAt };
  } finally {
    dir.remove();
  }
}

export const PTIME_MS = 20;
const SAMPLES = (8000 * PTIME_MS) / 1000;

/** PCMU packets of `pcm` (8 kHz), 20 ms each. */
export function packets(pcm: Int16Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + SAMPLES <= pcm.length; i += SAMPLES) {
    const p = new Uint8Array(SAMPLES);
    encodeG711('pcmu', pcm.subarray(i, i + SAMPLES), p);
    out.push(p);
  }
  return out;
}

/**
 * The two streams of a SIPREC call in sipp's metadata: label 1 (the first m-line, port P) is sent by the
 * customer, label 2 (P+2) by the agent (test/e2e/sipp/siprec_pcap.xml participantstreamassoc).
 */
export function twoPartyPcap(
  customer: Int16Array,
  agent: Int16Array,
  extra: { customer?: Partial<RtpPcapStream>; agent?: Partial<RtpPcapStream> } = {},
): Uint8Array {
  const base = 30000;
  return writeRtpPcap([
    {
      dstPort: base,
      payloads: packets(customer),
      pt: 0,
      ptimeMs: PTIME_MS,
      ssrc: 0x11110001,
      ...extra.customer,
    },
    {
      dstPort: base + 2,
      payloads: packets(agent),
      pt: 0,
      ptimeMs: PTIME_MS,
      ssrc: 0x22220002,
      ...extra.agent,
    },
  ]);
}
