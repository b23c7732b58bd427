/**
 * Live listening fed by a real SIPREC call (issue 6, "Proof"): sipp sends a SIPREC call with two RTP
 * streams to the recording server; a supervisor with a second factor listens to it over the API's
 * WebSocket, for a purpose of the policy, and hears the agent on channel 0; the session is logged from
 * start to end (R-EMP-6, R-SEC-2).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { AccessLog } from '../../../src/audit/access-log.ts';
import { buildApp } from '../../../src/api/app.ts';
import { IdentityStore } from '../../../src/api/auth/identity.store.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { EXAMPLE_POLICY } from '../../../src/capture/testing/recorder.harness.ts';
import { silentLogger } from '../../../src/log.ts';
import { sine } from '../../../src/media/tones.ts';
import { parsePolicyText } from '../../../src/policy/parse.ts';
import { toneShare } from '../../support/audio.ts';
import { runSipp, sippSkip, twoPartyPcap } from './sipp.ts';
import { startSiprecStack, type SiprecStack } from './stack.ts';

const skip = sippSkip();
let stack: SiprecStack;
let app: Awaited<ReturnType<typeof buildApp>>;
let base: string;
let accessLog: AccessLog;

before(async () => {
  if (skip) return;
  stack = await startSiprecStack();
  // The example quality policy with live listening allowed (R-EMP-6).
  const file = parsePolicyText(readFileSync(EXAMPLE_POLICY, 'utf8'), 'yaml') as {
    policies: { liveListening: boolean }[];
  };
  for (const p of file.policies) p.liveListening = true;
  stack.h.policies.set(file);
  const db = stack.h.db;
  accessLog = new AccessLog({
    db: db.kysely,
    dialect: db.dialect,
    clock: stack.h.clock,
    checkpointKey: randomBytes(32),
    retentionDays: 365,
  });
  app = await buildApp({
    config: loadConfig({ env: {}, overrides: { dataDir: stack.dir } }),
    db: db.kysely,
    dialect: db.dialect,
    clock: stack.h.clock,
    log: silentLogger,
    accessLog,
    recorder: stack.h.recorder,
    live: stack.h.live,
    policies: stack.h.policies,
    console: false,
  });
  base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
});

after(async () => {
  if (skip) return;
  await app.close();
  await stack.close();
});

test(
  'R-EMP-6: a supervisor listens live to a real sipp SIPREC call, hears the agent on channel 0, and the session is logged',
  { skip },
  async () => {
    stack.nextDay(); // first: a session lives 8 hours of the fake clock
    const identity = new IdentityStore(stack.h.db.kysely, stack.h.clock);
    const u = await identity.create({
      login: 'sup',
      displayName: 'sup',
      passwordHash: 'x',
      roles: ['supervisor'],
      teams: ['support'],
    });
    await identity.setTotp(u.id, 'JBSWY3DPEHPK3PXP', true);
    const session = await identity.openSession(u.id, 'totp');
    // The first block published for the call tells its id (no polling).
    const firstBlock = new Promise<string>((resolve) =>
      stack.h.live.setRelay({ publish: (callId) => resolve(callId) }),
    );
    const ms = 4000;
    const sipp = runSipp({
      scenario: 'siprec_pcap.xml',
      transport: 'u1',
      port: stack.ports.udp,
      pcap: twoPartyPcap(sine(1000, ms, 8000), sine(440, ms, 8000)),
      pauseMs: ms,
      noticeEndedAt: new Date(stack.h.clock.now() - 1000).toISOString(),
    });
    const callId = await firstBlock;
    stack.h.live.setRelay(undefined);

    const ws = new WebSocket(`${base}/api/calls/${callId}/listen?purpose=quality`, {
      headers: { cookie: `ecoute_session=${session.sessionId}` },
    });
    const frames: Buffer[] = [];
    let header: { format?: string; channelMap?: string[] } | undefined;
    ws.on('message', (data: Buffer, binary: boolean) => {
      if (binary) frames.push(data);
      else header = JSON.parse(data.toString()) as typeof header;
    });
    const [code] = (await once(ws, 'close')) as [number, Buffer];
    const result = await sipp;
    assert.equal(result.code, 0, result.errors);

    assert.equal(header?.format, 'pcm_s16le');
    assert.deepEqual(header?.channelMap, ['agent', 'customer']);
    assert.equal(code, 4000, 'closed as ended when the call ended');
    assert.ok(frames.length >= 10, `heard ${frames.length} frames of 100 ms`);
    const pcm = new Int16Array(Buffer.concat(frames.slice(2, -2)).buffer.slice(0));
    const agent = pcm.filter((_, i) => i % 2 === 0);
    const customer = pcm.filter((_, i) => i % 2 === 1);
    const heardMs = agent.length / 8;
    assert.ok(toneShare(agent, 440, 0, heardMs) > 0.8, 'the agent is heard on channel 0');
    assert.ok(toneShare(customer, 1000, 0, heardMs) > 0.8, 'the customer is heard on channel 1');

    const log = await stack.h.db.accessLog.range(0);
    const listened = log.filter((e) => e.action === 'live_listen' && e.actor === u.id);
    assert.ok(
      listened.some((e) => e.result === 'allowed' && e.purpose === 'quality'),
      'the start is logged with its purpose',
    );
    assert.ok(
      listened.some((e) => e.objectType === 'live_session' && e.detail.includes('"end"')),
      'the end is logged',
    );
  },
);
