/**
 * NATS with authentication (docs/operations.md "Securing NATS"): a private nats-server per suite, run with
 * `--user u --pass p` and another with `--auth <token>`, on free ports. Nodes configured through the real
 * config (`nats.user` / `nats.password` / `nats.token`) join and relay a call; a wrong or missing
 * credential fails the start with ECOUTE_CLUSTER_NATS_AUTH_FAILED at once; the secrets never reach the
 * logs (pino output captured) nor an error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { Writable } from 'node:stream';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../test/support/ports.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { FakeClock } from '../clock.ts';
import { loadConfig } from '../config/config.ts';
import { isEcouteError, type EcouteError, type ErrorSpec } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { LiveHub, type LiveListener } from '../capture/live.hub.ts';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { ClusterCalls } from './cluster.calls.ts';
import { ClusterErrors } from './errors.ts';
import { NatsRelay, withoutUserInfo } from './nats.relay.ts';
import type { LiveCallInfo } from './live.wire.ts';
import { testBlock } from './testing.ts';

const NATS_SERVER = '/usr/sbin/nats-server';
const PASSWORD = `pw-${randomUUID()}`;
const TOKEN = `tok-${randomUUID()}`;
/** A start refused by the server must end well before the connect timeout (10 s). */
const FAIL_WITHIN_MS = 3000;

const clock = new FakeClock('2026-11-02T09:00:00Z');
const keys = { live: randomBytes(32), calls: randomBytes(32) };

/** A private nats-server on a free port; resolves once it said it is ready and accepts a TCP connection. */
async function natsServer(args: string[]): Promise<{ port: number; url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Server is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited (${code}): ${err}`)));
  });
  const s = tcpConnect(port, '127.0.0.1');
  await once(s, 'connect');
  s.destroy();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A pino logger as production builds it, writing into `lines`. */
function capturedLogger(): { log: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { log: createLogger('trace', sink), text: () => chunks.join('') };
}

interface Node {
  readonly id: string;
  readonly hub: LiveHub;
  readonly relay: NatsRelay;
  readonly calls: ClusterCalls;
  readonly mine: LiveCallInfo[];
}

/** A node whose NATS settings come from the environment, through loadConfig, as in production. */
async function node(name: string, env: Record<string, string>, log: Logger): Promise<Node> {
  const config = loadConfig({ env });
  assert.ok(config.nats.url);
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const mine: LiveCallInfo[] = [];
  const hub = new LiveHub();
  const relay = await NatsRelay.connect({
    url: config.nats.url,
    auth: config.nats,
    nodeId: id,
    log,
    localCalls: () => mine,
    clock,
    heartbeatMs: 60_000,
    keys,
  });
  hub.setRelay(relay);
  return { id, hub, relay, mine, calls: new ClusterCalls({ nodeId: id, hub, local: () => mine, relay }) };
}

function until(n: Node, pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const off = n.relay.watch(() => {
      if (pred()) {
        off();
        resolve();
      }
    });
  });
}

/** Two nodes started with `env` join the server and relay a call (`relays`), then leave. */
async function twoNodesRelay(env: Record<string, string>, log: Logger): Promise<void> {
  const a = await node('a', env, log);
  const b = await node('b', env, log);
  try {
    await relays(a, b);
  } finally {
    await a.relay.close();
    await b.relay.close();
  }
}

/** Node A announces a call and plays 3 blocks; node B lists it and its listener hears them, in order. */
async function relays(a: Node, b: Node): Promise<void> {
  const c: LiveCallInfo = {
    callId: randomUUID(),
    recordingId: randomUUID(),
    nodeId: a.id,
    team: 'team-a',
    agentId: 'agent-1',
    queue: 'sales',
    direction: 'inbound',
    policyId: 'quality-sample',
    purposes: ['quality'],
    liveListening: true,
    startedAt: clock.now(),
    state: 'recording',
  };
  a.mine.push(c);
  a.hub.publish(c.callId, testBlock(0, 800, 1, 1));
  await until(b, () => b.calls.get(c.callId) !== undefined);
  const blocks: StereoBlock[] = [];
  const got = new Promise<void>((resolve) => {
    const l: LiveListener = {
      onBlock: (blk) => {
        blocks.push(blk);
        if (blocks.length === 3) resolve();
      },
      close: () => undefined,
    };
    b.calls.subscribe(c.callId, l);
  });
  await b.relay.flush();
  for (let s = 1; s <= 3; s++) a.hub.publish(c.callId, testBlock(s, 800, 1000 * s, -500 * s));
  await got;
  assert.deepEqual(
    blocks.map((x) => x.seq),
    [1, 2, 3],
  );
  a.mine.splice(a.mine.indexOf(c), 1);
  a.hub.disconnect(c.callId, 'ended');
  await until(b, () => b.calls.get(c.callId) === undefined);
}

/** The start must fail with `spec` (default ECOUTE_CLUSTER_NATS_AUTH_FAILED), quickly; returns the error. */
async function refused(
  env: Record<string, string>,
  log: Logger,
  spec: ErrorSpec = ClusterErrors.NATS_AUTH_FAILED,
): Promise<EcouteError> {
  const t0 = performance.now();
  const e = await node('refused', env, log).then(
    async (n) => {
      await n.relay.close();
      assert.fail('the node joined with a wrong credential');
    },
    (err: unknown) => err,
  );
  const ms = performance.now() - t0;
  assert.ok(isEcouteError(e, spec), `got ${String(e)}`);
  assert.ok(ms < FAIL_WITHIN_MS, `refused after ${ms.toFixed(0)} ms`);
  // What main.ts / the CLI would log about a failed start: code, message, context, cause.
  log.error({ err: e, code: e.code, context: e.context }, 'start failed');
  return e;
}

const noSecret = (text: string, secret: string): void =>
  assert.ok(!text.includes(secret), 'the secret appears in the logs or the error');

describe('NATS with user and password', () => {
  let server: Awaited<ReturnType<typeof natsServer>>;
  const logs = capturedLogger();
  before(async () => {
    server = await natsServer(['--user', 'u', '--pass', PASSWORD]);
  });
  after(async () => {
    await server.stop();
  });

  it('two nodes with nats.user and nats.password join and relay a call; the password is never logged', async () => {
    const env = { ECOUTE_NATS_URL: server.url, ECOUTE_NATS_USER: 'u', ECOUTE_NATS_PASSWORD: PASSWORD };
    await twoNodesRelay(env, logs.log);
    noSecret(logs.text(), PASSWORD);
  });

  it('a wrong password fails the start with ECOUTE_CLUSTER_NATS_AUTH_FAILED, naming the method, not the secret', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const e = await refused(
      { ECOUTE_NATS_URL: server.url, ECOUTE_NATS_USER: 'u', ECOUTE_NATS_PASSWORD: wrong },
      logs.log,
    );
    assert.equal(e.context.auth, 'user');
    assert.equal(e.context.url, server.url);
    noSecret(logs.text() + JSON.stringify(e.context) + e.message, wrong);
  });

  it('no credentials at all fail the start with ECOUTE_CLUSTER_NATS_AUTH_FAILED', async () => {
    const e = await refused({ ECOUTE_NATS_URL: server.url }, logs.log);
    assert.equal(e.context.auth, 'none');
  });

  it('credentials inside the URL are used, and stripped from the error and the logs', async () => {
    const wrong = `inurl-${randomUUID()}`;
    const url = server.url.replace('//', `//u:${wrong}@`);
    const e = await refused({ ECOUTE_NATS_URL: url }, logs.log);
    assert.equal(e.context.auth, 'url');
    assert.equal(e.context.url, server.url);
    noSecret(logs.text() + JSON.stringify(e.context), wrong);
    const ok = await node(
      'inurl',
      { ECOUTE_NATS_URL: server.url.replace('//', `//u:${PASSWORD}@`) },
      logs.log,
    );
    await ok.relay.close();
    noSecret(logs.text(), PASSWORD);
  });

  it('a half-set pair (user without password, certificate without key) or two methods are refused by the configuration', () => {
    assert.throws(
      () => loadConfig({ env: { ECOUTE_NATS_URL: server.url, ECOUTE_NATS_USER: 'u' } }),
      /nats\.user/,
    );
    assert.throws(
      () =>
        loadConfig({
          env: {
            ECOUTE_NATS_URL: server.url,
            ECOUTE_NATS_TOKEN: TOKEN,
            ECOUTE_NATS_USER: 'u',
            ECOUTE_NATS_PASSWORD: 'x',
          },
        }),
      (e: unknown) => e instanceof Error && /only one of/.test(e.message) && !e.message.includes(TOKEN),
    );
    assert.throws(
      () => loadConfig({ env: { ECOUTE_NATS_URL: server.url, ECOUTE_NATS_TLS_CERT_FILE: '/etc/node.pem' } }),
      /nats\.tls\.certFile/,
    );
  });
});

describe('NATS with a token', () => {
  let server: Awaited<ReturnType<typeof natsServer>>;
  const logs = capturedLogger();
  before(async () => {
    server = await natsServer(['--auth', TOKEN]);
  });
  after(async () => {
    await server.stop();
  });

  it('two nodes with nats.token join and relay a call; the token is never logged', async () => {
    const env = { ECOUTE_NATS_URL: server.url, ECOUTE_NATS_TOKEN: TOKEN };
    await twoNodesRelay(env, logs.log);
    noSecret(logs.text(), TOKEN);
  });

  it('a wrong token, or none, fails the start with ECOUTE_CLUSTER_NATS_AUTH_FAILED', async () => {
    const wrong = `tok-${randomUUID()}`;
    const e = await refused({ ECOUTE_NATS_URL: server.url, ECOUTE_NATS_TOKEN: wrong }, logs.log);
    assert.equal(e.context.auth, 'token');
    noSecret(logs.text() + JSON.stringify(e.context), wrong);
    await refused({ ECOUTE_NATS_URL: server.url }, logs.log);
    noSecret(logs.text(), TOKEN);
  });

  it('an unreadable nats.credsFile fails the start with ECOUTE_CLUSTER_NATS_AUTH_FAILED naming the field', async () => {
    const e = await refused(
      { ECOUTE_NATS_URL: server.url, ECOUTE_NATS_CREDS_FILE: `/nonexistent/${randomUUID()}.creds` },
      logs.log,
    );
    assert.equal(e.context.field, 'nats.credsFile');
  });

  it('withoutUserInfo strips user and password from every server of a URL list', () => {
    assert.equal(withoutUserInfo('nats://u:p@h1:4222,nats://t@h2:4222'), 'nats://h1:4222,nats://h2:4222');
    assert.equal(withoutUserInfo('tls://h:4222'), 'tls://h:4222');
  });
});

/**
 * A private CA, a server certificate for localhost / 127.0.0.1 and a client certificate it signed, made
 * with openssl in `dir` (PEM, P-256).
 */
function makePki(
  dir: string,
): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=ecoute-test-ca',
  );
  const sign = (name: string, cn: string, ext?: string) => {
    ssl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    const extArgs: string[] = [];
    if (ext) {
      writeFileSync(f(`${name}.ext`), `${ext}\n`);
      extArgs.push('-extfile', f(`${name}.ext`));
    }
    ssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.pem'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-out',
      f(`${name}.pem`),
      '-days',
      '2',
      ...extArgs,
    );
  };
  sign('server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  sign('client', 'ecoute-node');
  return {
    ca: f('ca.pem'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  };
}

describe('NATS over TLS with a private CA, client certificates and a password', () => {
  const dir = tempDir('ecoute-nats-tls-');
  const pki = makePki(dir.path);
  let tlsServer: Awaited<ReturnType<typeof natsServer>>;
  let plainServer: Awaited<ReturnType<typeof natsServer>>;
  const logs = capturedLogger();
  let env: Record<string, string>;
  before(async () => {
    tlsServer = await natsServer([
      '--tlsverify',
      '--tlscert',
      pki.serverCert,
      '--tlskey',
      pki.serverKey,
      '--tlscacert',
      pki.ca,
      '--user',
      'u',
      '--pass',
      PASSWORD,
    ]);
    plainServer = await natsServer(['--user', 'u', '--pass', PASSWORD]);
    env = {
      ECOUTE_NATS_URL: `tls://localhost:${tlsServer.port}`,
      ECOUTE_NATS_USER: 'u',
      ECOUTE_NATS_PASSWORD: PASSWORD,
      ECOUTE_NATS_TLS_CA_FILE: pki.ca,
      ECOUTE_NATS_TLS_CERT_FILE: pki.clientCert,
      ECOUTE_NATS_TLS_KEY_FILE: pki.clientKey,
    };
  });
  after(async () => {
    await tlsServer.stop();
    await plainServer.stop();
    dir.remove();
  });

  it('two nodes with nats.tls.caFile, certFile, keyFile and a password join over tls:// and relay a call', async () => {
    await twoNodesRelay(env, logs.log);
    noSecret(logs.text(), PASSWORD);
  });

  it('a server certificate that does not verify (no nats.tls.caFile: system CAs) fails with ECOUTE_CLUSTER_NATS_TLS_FAILED', async () => {
    const { ECOUTE_NATS_TLS_CA_FILE: _ca, ...withoutCa } = env;
    const e = await refused(withoutCa, logs.log, ClusterErrors.NATS_TLS_FAILED);
    assert.equal(e.context.auth, 'user');
  });

  it('a tls:// URL to a server without TLS fails with ECOUTE_CLUSTER_NATS_TLS_FAILED, not in clear', async () => {
    await refused(
      { ...env, ECOUTE_NATS_URL: `tls://localhost:${plainServer.port}` },
      logs.log,
      ClusterErrors.NATS_TLS_FAILED,
    );
  });

  it('an unreadable nats.tls.caFile fails with ECOUTE_CLUSTER_NATS_TLS_FAILED naming the field', async () => {
    const e = await refused(
      { ...env, ECOUTE_NATS_TLS_CA_FILE: join(dir.path, 'missing.pem') },
      logs.log,
      ClusterErrors.NATS_TLS_FAILED,
    );
    assert.equal(e.context.field, 'nats.tls.caFile');
    noSecret(logs.text(), PASSWORD);
  });
});
