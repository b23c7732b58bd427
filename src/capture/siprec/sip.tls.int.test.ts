/** SIP over TLS with a certificate pair from configuration (a throwaway self-signed pair made by openssl). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { silentLogger } from '../../log.ts';
import { isEcouteError } from '../../errors.ts';
import { tempDir } from '../../../test/support/tmp.ts';
import { SipErrors } from './errors.ts';
import { SipServer, ourAddress } from './sip.server.ts';
import { SipStreamFramer } from './sip.framer.ts';
import { RecordingTestHandler } from './test.peer.ts';

const base = { host: '127.0.0.1', port: 0, transports: ['tls'] as const, tlsPort: 0, maxCalls: 10 };

test('SIP over TLS: OPTIONS on a TLS connection is answered on that connection', async () => {
  const tmp = tempDir('ecoute-tls-');
  const cert = join(tmp.path, 'cert.pem');
  const key = join(tmp.path, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const server = new SipServer({
    config: { ...base, tlsCert: cert, tlsKey: key },
    handler: new RecordingTestHandler(),
    log: silentLogger,
  });
  await server.listen();
  const sock = connect({ host: '127.0.0.1', port: server.ports().tls ?? 0, rejectUnauthorized: false });
  try {
    await once(sock, 'secureConnect');
    const framer = new SipStreamFramer();
    sock.write(
      `OPTIONS sip:srs@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-tls\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: tls-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
    );
    const [chunk] = (await once(sock, 'data')) as [Buffer];
    const [r] = framer.push(chunk);
    assert.ok(r?.ok && r.message.kind === 'response' && r.message.status === 200);
  } finally {
    sock.destroy();
    await server.close();
    tmp.remove();
  }
});

test('TLS without a certificate pair refuses to start with a typed error naming the field', async () => {
  const server = new SipServer({
    config: { ...base, tlsCert: undefined, tlsKey: undefined },
    handler: new RecordingTestHandler(),
    log: silentLogger,
  });
  await assert.rejects(server.listen(), (e: unknown) => isEcouteError(e, SipErrors.TRANSPORT_FAILED));
});

test('our address: socket address first, then the bound host, then the host the SRC addressed', () => {
  const udp = { transport: 'udp' as const, address: '192.0.2.1', port: 5060, localAddress: '0.0.0.0' };
  assert.equal(ourAddress(udp, '0.0.0.0', 'sip:srs@198.51.100.7:5060;transport=udp'), '198.51.100.7');
  assert.equal(ourAddress(udp, '10.0.0.2', 'sip:srs@198.51.100.7'), '10.0.0.2');
  assert.equal(ourAddress({ ...udp, localAddress: '::ffff:10.0.0.3' }, '0.0.0.0', 'sip:x@y'), '10.0.0.3');
});

test('an address already in use refuses to start with TRANSPORT_FAILED and leaves nothing open', async () => {
  const first = new SipServer({
    config: { ...base, transports: ['udp'], tlsCert: undefined, tlsKey: undefined },
    handler: new RecordingTestHandler(),
    log: silentLogger,
  });
  await first.listen();
  const port = first.ports().udp ?? 0;
  const second = new SipServer({
    config: { ...base, port, transports: ['tcp', 'udp'], tlsCert: undefined, tlsKey: undefined },
    handler: new RecordingTestHandler(),
    log: silentLogger,
  });
  try {
    await assert.rejects(second.listen(), (e: unknown) => isEcouteError(e, SipErrors.TRANSPORT_FAILED));
    assert.deepEqual(second.ports(), {});
  } finally {
    await first.close();
  }
});
