/**
 * The SIPREC recording server as `startEcoute` wires it (src/main.services.ts), composed in-process on
 * loopback for end-to-end tests: a SipServer (UDP + TCP, port 0) and an RtpEngine (one worker, a random
 * port range) in front of the SiprecRecorder and the Recorder over the real harness (SQLite file, vault on
 * the filesystem, the example quality policy, informed agent a1 on extension 1001). Added here: agent a2
 * on extension 1002 who has NOT acknowledged the employee notice (R-EMP-2), and a draw the test can set.
 * `attachSiprec` is the SIP + RTP front alone, for suites that bring their own recorder (the console e2e).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DAY_MS, FakeClock, type Clock } from '../../../src/clock.ts';
import { silentLogger } from '../../../src/log.ts';
import type { Rng } from '../../../src/policy/rng.ts';
import type { PolicySource } from '../../../src/capture/policy.source.ts';
import type { Recorder } from '../../../src/capture/recorder.ts';
import { RtpEngine } from '../../../src/capture/rtp/rtp.engine.ts';
import { SipServer } from '../../../src/capture/siprec/sip.server.ts';
import { SiprecRecorder } from '../../../src/capture/siprec/siprec.recorder.ts';
import { loadTrunksFile } from '../../../src/capture/siprec/trunk.config.ts';
import {
  recorderHarness,
  type RecordedEvent,
  type RecorderHarness,
} from '../../../src/capture/testing/recorder.harness.ts';
import { tempDir } from '../../support/tmp.ts';

/** The trunk of the tests: every SRC on loopback; agent by AOR 1xxx; notice from the IVR's header. */
export const TRUNKS_YAML = `trunks:
  - id: sipp-loopback
    match: { sources: [127.0.0.1] }
    agentAor:
      - regex: '^1\\d{3}$'
    agentId:
      - agentAor: true
    queue:
      - header: X-Queue
    direction: { default: inbound }
    notice:
      - header: X-Ecoute-Notice
`;

/** A draw the test sets between calls (named fake of the Rng port): below 0.05 selects under the 5 % sample. */
export class SettableDraw implements Rng {
  value = 0.01;
  draw(): { value: number; seed: string } {
    return { value: this.value, seed: `e2e-fixed-${this.value}` };
  }
}

export interface SiprecStack {
  readonly h: RecorderHarness;
  readonly sip: SipServer;
  readonly rtp: RtpEngine;
  readonly handler: SiprecRecorder;
  readonly draw: SettableDraw;
  readonly dir: string;
  readonly ports: { readonly udp: number; readonly tcp: number };
  /** Moves the fake clock to a fresh day (the policy allows 3 recordings per agent per day, R-PUR-3). */
  nextDay(): void;
  /** The next recorder event of `kind` after index `from` of the event log. */
  eventAfter(from: number, kind: RecordedEvent['kind']): Promise<RecordedEvent>;
  close(): Promise<void>;
}

export interface SiprecAttachment {
  readonly sip: SipServer;
  readonly rtp: RtpEngine;
  readonly handler: SiprecRecorder;
  readonly ports: { readonly udp: number; readonly tcp: number };
  /** Stops the SIP server, then the RTP engine (the recorder and its store stay the caller's). */
  close(): Promise<void>;
}

/**
 * The SIPREC front of a recorder, as src/main.services.ts wires it: an RtpEngine (one worker, a random port
 * range) and a SipServer (UDP + TCP, port 0) around a SiprecRecorder; the trunks file (TRUNKS_YAML) is
 * written in `dir`.
 */
export async function attachSiprec(o: {
  recorder: Recorder;
  policies: PolicySource;
  clock: Clock;
  dir: string;
}): Promise<SiprecAttachment> {
  const trunksFile = join(o.dir, 'trunks.yaml');
  writeFileSync(trunksFile, TRUNKS_YAML);
  // A random even range well above the defaults, so parallel suites rarely meet.
  const portMin = 40000 + 2 * Math.floor(Math.random() * 5000);
  const rtp = new RtpEngine({ portMin, portMax: portMin + 400, workers: 1, bindAddress: '127.0.0.1' });
  const handler = new SiprecRecorder({
    recorder: o.recorder,
    rtp,
    trunks: loadTrunksFile(trunksFile),
    clock: o.clock,
    log: silentLogger,
    objectionKey: () => o.policies.current()?.file.notices.caller.objectionKey,
  });
  const sip = new SipServer({
    config: {
      host: '127.0.0.1',
      port: 0,
      transports: ['udp', 'tcp'],
      tlsPort: 0,
      tlsCert: undefined,
      tlsKey: undefined,
      maxCalls: 20,
    },
    handler,
    log: silentLogger,
  });
  handler.attach((id) => sip.sendBye(id));
  await rtp.start();
  await sip.listen();
  const p = sip.ports();
  return {
    sip,
    rtp,
    handler,
    ports: { udp: p.udp ?? 0, tcp: p.tcp ?? 0 },
    async close() {
      await sip.close();
      await rtp.stop();
    },
  };
}

export async function startSiprecStack(): Promise<SiprecStack> {
  const tmp = tempDir('ecoute-siprec-e2e-');
  const clock = new FakeClock('2026-11-03T09:00:00Z');
  const draw = new SettableDraw();
  const h = await recorderHarness(tmp.path, { clock, rng: draw });
  await h.db.agents.upsert({
    id: 'a2',
    displayName: 'Agent Deux',
    teamId: 'support',
    extension: '1002',
    sipAor: 'sip:1002@pbx.example',
  });
  const front = await attachSiprec({
    recorder: h.recorder,
    policies: h.policies,
    clock,
    dir: tmp.path,
  });
  const { sip, rtp, handler, ports } = front;
  return {
    h,
    sip,
    rtp,
    handler,
    draw,
    dir: tmp.path,
    ports,
    nextDay: () => clock.advance(DAY_MS),
    eventAfter: (from, kind) => h.events.wait((e) => e.kind === kind && h.events.events.indexOf(e) >= from),
    async close() {
      await front.close();
      await h.close();
      tmp.remove();
    },
  };
}
