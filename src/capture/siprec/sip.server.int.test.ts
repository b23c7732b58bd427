/** The SIP stack against real UDP and TCP sockets on loopback (port 0), with a test handler. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../log.ts';
import { SipServer } from './sip.server.ts';
import { header, headerValues, type SipResponse } from './sip.message.ts';
import { parseSdp } from './sdp.parser.ts';
import { TestPeer, RecordingTestHandler, inviteFrom, inDialog } from './test.peer.ts';
import { fixture } from './test.fixtures.ts';

async function start(
  maxCalls = 100,
): Promise<{ server: SipServer; handler: RecordingTestHandler; udp: number; tcp: number }> {
  const handler = new RecordingTestHandler();
  const server = new SipServer({
    config: {
      host: '127.0.0.1',
      port: 0,
      transports: ['udp', 'tcp'],
      tlsPort: 0,
      tlsCert: undefined,
      tlsKey: undefined,
      maxCalls,
    },
    handler,
    log: silentLogger,
    t1Ms: 40,
  });
  await server.listen();
  const p = server.ports();
  return { server, handler, udp: p.udp ?? 0, tcp: p.tcp ?? 0 };
}

const OPTIONS = (port: number, branch: string) =>
  `OPTIONS sip:srs@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch}\r\nFrom: <sip:src@127.0.0.1>;tag=o1\r\nTo: <sip:srs@127.0.0.1>\r\nCall-ID: opt-${branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;

test('OPTIONS keep-alive is answered 200 with Allow, Supported: siprec and Accept', async () => {
  const { server, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  try {
    peer.sendRaw(OPTIONS(peer.port, 'z9hG4bK-o1'));
    const res = await peer.response(200);
    assert.match(header(res, 'allow') ?? '', /INVITE/);
    assert.ok(headerValues(res, 'supported').includes('siprec'));
    assert.match(headerValues(res, 'accept').join(','), /application\/rs-metadata\+xml/);
  } finally {
    peer.close();
    await server.close();
  }
});

test('UDP INVITE → 100, 200 with a same-order SDP; 200 retransmitted until ACK; retransmitted INVITE absorbed; BYE from the SRC', async () => {
  const { server, handler, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  try {
    const inv = inviteFrom(peer, fixture('audiocodes.txt'));
    peer.sendRaw(inv.bytes);
    await peer.response(100);
    const ok = await peer.response(200);
    peer.sendRaw(inv.bytes); // retransmission: absorbed, answered with the last response
    await peer.response(200);
    await peer.response(200); // Timer-driven retransmission of the 2xx (no ACK yet)
    assert.equal(handler.invites.length, 1);
    assert.equal(handler.invites[0]?.metadata?.participants.length, 2);
    const sdp = parseSdp(ok.body);
    assert.deepEqual(
      sdp.media.map((m) => [m.label, m.direction]),
      [
        ['1', 'recvonly'],
        ['2', 'recvonly'],
      ],
    );
    peer.sendRaw(inDialog('ACK', ok, peer, 1));
    peer.sendRaw(inDialog('BYE', ok, peer, 2));
    await peer.response(200, 'BYE');
    assert.deepEqual(handler.byes, [{ dialogId: handler.invites[0]?.dialogId, from: 'src' }]);
    assert.equal(server.activeDialogs, 0);
  } finally {
    peer.close();
    await server.close();
  }
});

test('CANCEL before the answer → 200 for the CANCEL, 487 for the INVITE, handler told', async () => {
  const { server, handler, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  let release = (): void => undefined;
  handler.hold = new Promise<void>((r) => (release = r));
  try {
    const inv = inviteFrom(peer, fixture('cisco-nbr.txt'));
    peer.sendRaw(inv.bytes);
    await peer.response(100);
    const cancel = inv.bytes
      .toString('latin1')
      .split('\r\n\r\n')[0]
      ?.replace(/^INVITE /, 'CANCEL ')
      .replace(/CSeq: 101 INVITE/, 'CSeq: 101 CANCEL')
      .replace(/Content-Length: \d+/, 'Content-Length: 0')
      .replace(/Content-Type: .*\r\n/, '');
    peer.sendRaw(`${cancel}\r\n\r\n`);
    await peer.response(200, 'CANCEL');
    await peer.response(487, 'INVITE');
    release();
    assert.equal(handler.cancels.length, 1);
    assert.equal(server.activeDialogs, 0);
  } finally {
    peer.close();
    await server.close();
  }
});

test('malformed SIP → 400 with a Warning: 399 naming the fault; garbage is dropped and counted; service goes on', async () => {
  const { server, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  try {
    peer.sendRaw(OPTIONS(peer.port, 'z9hG4bK-m1').replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS'));
    const bad = await peer.response(400);
    assert.match(header(bad, 'warning') ?? '', /^399 ecoute ".*CSeq.*"$/);
    peer.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a]));
    const inv = inviteFrom(peer, fixture('cisco-nbr.txt'));
    peer.sendRaw(inv.bytes.toString('latin1').replace('m=audio 16002 RTP/AVP', 'm=audio xxxxx RTP/AVP'));
    const badSdp = await peer.response(400);
    assert.match(header(badSdp, 'warning') ?? '', /m= line/);
    peer.sendRaw(OPTIONS(peer.port, 'z9hG4bK-m2'));
    await peer.response(200);
    assert.equal(server.stats.malformedAnswered, 1);
    assert.equal(server.stats.malformedDropped, 1);
  } finally {
    peer.close();
    await server.close();
  }
});

test('a 64 KiB UDP INVITE is accepted', async () => {
  const { server, handler, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  try {
    const raw = fixture('audiocodes.txt').toString('latin1');
    const filler = `--boundary_ac15d5\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(60_000)}\r\n--boundary_ac15d5--`;
    const big = Buffer.from(raw.replace('--boundary_ac15d5--', filler), 'latin1');
    const inv = inviteFrom(peer, big);
    assert.ok(inv.bytes.length > 60_000 && inv.bytes.length < 65_507, String(inv.bytes.length));
    peer.sendRaw(inv.bytes);
    await peer.response(200);
    assert.equal(handler.invites.length, 1);
  } finally {
    peer.close();
    await server.close();
  }
});

test('TCP: INVITE framed on the stream; re-INVITE a=inactive (pause) and UPDATE with partial metadata reach the handler; SRS sends BYE', async () => {
  const { server, handler, tcp } = await start();
  const peer = await TestPeer.open('tcp', tcp);
  try {
    const inv = inviteFrom(peer, fixture('avaya-sbce.txt'));
    peer.sendRaw(inv.bytes);
    const ok = await peer.response(200, 'INVITE');
    peer.sendRaw(inDialog('ACK', ok, peer, 1));
    const offer = handler.invites[0]?.sdp;
    assert.ok(offer);
    const paused = fixture('avaya-sbce.txt')
      .toString()
      .split('--avaya_boundary')[1]
      ?.split('\r\n\r\n')
      .slice(1)
      .join('\r\n\r\n')
      .replaceAll('a=sendonly', 'a=inactive');
    peer.sendRaw(inDialog('INVITE', ok, peer, 2, { type: 'application/sdp', text: paused ?? '' }));
    const reOk = await peer.response(200, 'INVITE');
    assert.deepEqual(
      parseSdp(reOk.body).media.map((m) => m.direction),
      ['inactive', 'inactive'],
    );
    const partial = fixture('avaya-sbce-update.xml').toString();
    peer.sendRaw(inDialog('UPDATE', ok, peer, 3, { type: 'application/rs-metadata+xml', text: partial }));
    await peer.response(200, 'UPDATE');
    assert.deepEqual(
      handler.updates.map((u) => u.kind),
      ['reinvite', 'update'],
    );
    assert.equal(handler.updates[1]?.upd.metadata?.datamode, 'partial');
    const dialogId = handler.invites[0]?.dialogId ?? '';
    const byeDone = server.sendBye(dialogId);
    const bye = await peer.request('BYE');
    assert.equal(header(bye, 'call-id'), inv.callId);
    peer.answer(bye);
    assert.equal(await byeDone, true);
    assert.deepEqual(handler.byes, [{ dialogId, from: 'srs' }]);
  } finally {
    peer.close();
    await server.close();
  }
});

test('RFC 3261 §15: a BYE of the SRS before the SRC has ACKed the 2xx waits for the ACK, then goes', async () => {
  const { server, handler, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  try {
    const inv = inviteFrom(peer, fixture('audiocodes.txt'));
    peer.sendRaw(inv.bytes);
    const ok = await peer.response(200, 'INVITE');
    const dialogId = handler.invites[0]?.dialogId ?? '';
    const byeDone = server.sendBye(dialogId); // e.g. an objection keyed right after the answer (R-CAL-2)
    // A round trip on the same socket: a BYE sent at once would have arrived before this answer.
    peer.sendRaw(OPTIONS(peer.port, 'z9hG4bK-ack-barrier'));
    await peer.response(200, 'OPTIONS');
    assert.equal(
      peer.holds((m) => m.kind === 'request' && m.method === 'BYE'),
      false,
      'no BYE before the ACK',
    );
    peer.sendRaw(inDialog('ACK', ok, peer, 1));
    const bye = await peer.request('BYE');
    assert.equal(header(bye, 'call-id'), inv.callId);
    peer.answer(bye);
    assert.equal(await byeDone, true);
    assert.equal(server.activeDialogs, 0);
  } finally {
    peer.close();
    await server.close();
  }
});

test('a flood of INVITEs over the configured limit gets 503 with Retry-After; accepted calls go on', async () => {
  const { server, handler, udp } = await start(2);
  const peer = await TestPeer.open('udp', udp);
  try {
    const oks: SipResponse[] = [];
    for (let i = 0; i < 2; i++) {
      peer.sendRaw(inviteFrom(peer, fixture('cisco-nbr.txt')).bytes);
      oks.push(await peer.response(200));
    }
    peer.sendRaw(inviteFrom(peer, fixture('cisco-nbr.txt')).bytes);
    const busy = await peer.response(503);
    assert.equal(header(busy, 'retry-after'), '5');
    assert.equal(handler.invites.length, 2);
    assert.equal(server.stats.overloadRejected, 1);
  } finally {
    peer.close();
    await server.close();
  }
});

test('in-dialog request for an unknown dialog → 481; out-of-order CSeq → 500', async () => {
  const { server, udp } = await start();
  const peer = await TestPeer.open('udp', udp);
  try {
    const inv = inviteFrom(peer, fixture('cisco-nbr.txt'));
    peer.sendRaw(inv.bytes);
    const ok = await peer.response(200);
    peer.sendRaw(inDialog('ACK', ok, peer, 101));
    peer.sendRaw(inDialog('INFO', ok, peer, 100));
    await peer.response(500, 'INFO');
    const fake = {
      ...ok,
      headers: ok.headers.map((h) => (h.key === 'to' ? { ...h, value: '<sip:srs@127.0.0.1>;tag=nope' } : h)),
    };
    peer.sendRaw(inDialog('BYE', fake, peer, 200));
    await peer.response(481, 'BYE');
  } finally {
    peer.close();
    await server.close();
  }
});
