/**
 * sipp (Debian sip-tester) as a real SIPREC SRC against Ecoute's SIP server, SIP only: the scenarios of
 * this folder over UDP and TCP. The handler is the test handler of src/capture/siprec (the recorder
 * service with RTP is tested by its own e2e suite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/log.ts';
import { SipServer } from '../../../src/capture/siprec/sip.server.ts';
import { RecordingTestHandler } from '../../../src/capture/siprec/test.peer.ts';
import { tempDir } from '../../support/tmp.ts';
import { freePort } from '../../support/ports.ts';

const SIPP = '/usr/bin/sipp';
const here = new URL('.', import.meta.url).pathname;

async function sipp(
  scenario: string,
  transport: 'u1' | 't1',
  port: number,
): Promise<{ code: number | null; errors: string }> {
  const tmp = tempDir('ecoute-sipp-');
  const errFile = join(tmp.path, 'err.log');
  const args = [
    `127.0.0.1:${port}`,
    '-sf',
    join(here, scenario),
    '-m',
    '1',
    '-t',
    transport,
    '-i',
    '127.0.0.1',
    '-p',
    String(await freePort()),
    '-mp',
    String(await freePort({ pair: true })),
    '-nostdin',
    '-timeout',
    '15s',
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errFile,
  ];
  const child = spawn(SIPP, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  const errors = (existsSync(errFile) ? readFileSync(errFile, 'utf8') : '') + stderr;
  tmp.remove();
  return { code, errors };
}

async function withServer(
  fn: (s: { udp: number; tcp: number; handler: RecordingTestHandler; server: SipServer }) => Promise<void>,
): Promise<void> {
  const handler = new RecordingTestHandler();
  const server = new SipServer({
    config: {
      host: '127.0.0.1',
      port: 0,
      transports: ['udp', 'tcp'],
      tlsPort: 0,
      tlsCert: undefined,
      tlsKey: undefined,
      maxCalls: 10,
    },
    handler,
    log: silentLogger,
  });
  await server.listen();
  try {
    await fn({ udp: server.ports().udp ?? 0, tcp: server.ports().tcp ?? 0, handler, server });
  } finally {
    await server.close();
  }
}

const skip = existsSync(SIPP) ? false : 'sipp (Debian sip-tester) is not installed';

test('sipp OPTIONS keep-alive over UDP is answered 200 with Supported: siprec', { skip }, async () => {
  await withServer(async ({ udp }) => {
    const r = await sipp('siprec_options.xml', 'u1', udp);
    assert.equal(r.code, 0, r.errors);
  });
});

for (const [transport, label] of [
  ['u1', 'UDP'],
  ['t1', 'TCP'],
] as const) {
  test(
    `sipp SIPREC INVITE/ACK/BYE over ${label}: two recvonly labelled streams, metadata parsed, BYE reaches the handler`,
    { skip },
    async () => {
      await withServer(async ({ udp, tcp, handler, server }) => {
        const r = await sipp('siprec_uac.xml', transport, transport === 'u1' ? udp : tcp);
        assert.equal(r.code, 0, r.errors);
        assert.equal(handler.invites.length, 1);
        const inv = handler.invites[0];
        assert.deepEqual(inv?.signals, { require: true, srcContact: true });
        assert.deepEqual(
          inv?.sdp.media.map((m) => m.label),
          ['1', '2'],
        );
        const ports = inv?.sdp.media.map((m) => m.port) ?? [];
        assert.equal((ports[1] ?? 0) - (ports[0] ?? 0), 2);
        assert.equal(inv?.metadata?.participants.length, 2);
        assert.deepEqual(
          handler.byes.map((b) => b.from),
          ['src'],
        );
        assert.equal(server.activeDialogs, 0);
      });
    },
  );
}

test(
  'sipp SIPREC over TCP, BYE from the SRS: sipp receives the BYE of Ecoute and answers 200',
  { skip },
  async () => {
    await withServer(async ({ tcp, handler, server }) => {
      // Ends the session as soon as it is answered, as an objection would (R-CAL-2).
      const accept = handler.onInvite.bind(handler);
      let byeDone: Promise<boolean> | undefined;
      handler.onInvite = async (inv) => {
        const answer = await accept(inv);
        setImmediate(() => {
          byeDone = server.sendBye(inv.dialogId);
        });
        return answer;
      };
      const r = await sipp('siprec_uac_srs_bye.xml', 't1', tcp);
      assert.equal(r.code, 0, r.errors);
      assert.equal(await byeDone, true);
      assert.deepEqual(
        handler.byes.map((b) => b.from),
        ['srs'],
      );
    });
  },
);
