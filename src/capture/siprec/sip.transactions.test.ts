import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionLayer } from './sip.transactions.ts';
import { ManualTimers } from './sip.timers.ts';
import { buildResponse, type SipMessage, type SipRequest } from './sip.message.ts';
import { parseSipMessage } from './sip.parser.ts';
import type { Endpoint } from './sip.transport.ts';

const from: Endpoint = { transport: 'udp', address: '127.0.0.1', port: 5070 };
const INVITE = parseSipMessage(
  'INVITE sip:srs@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:srs@h>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n\r\n',
) as SipRequest;
const ACK = parseSipMessage(
  'ACK sip:srs@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-2\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:srs@h>;tag=x\r\nCall-ID: c1\r\nCSeq: 1 ACK\r\n\r\n',
) as SipRequest;

function layer(): { tx: TransactionLayer; sent: SipMessage[]; timers: ManualTimers; timeouts: number[] } {
  const sent: SipMessage[] = [];
  const timers = new ManualTimers();
  const timeouts: number[] = [];
  const tx = new TransactionLayer({
    send: (_to, m) => sent.push(m),
    timers,
    onAckTimeout: () => timeouts.push(1),
  });
  return { tx, sent, timers, timeouts };
}

test('a retransmitted INVITE is absorbed and answered with the last response', () => {
  const { tx, sent } = layer();
  assert.equal(tx.receive(INVITE, from), 'new');
  tx.respond(INVITE, buildResponse(INVITE, 100, 'Trying'));
  assert.equal(tx.receive(INVITE, from), 'retransmission');
  assert.deepEqual(
    sent.map((m) => m.kind === 'response' && m.status),
    [100, 100],
  );
});

test('a 2xx over UDP is retransmitted at T1, 2·T1, 4·T1… capped at T2, until the ACK', () => {
  const { tx, sent, timers } = layer();
  tx.receive(INVITE, from);
  tx.respond(INVITE, buildResponse(INVITE, 200, 'OK', 'x'));
  timers.advance(500); // T1
  timers.advance(1000); // 2·T1
  timers.advance(2000); // 4·T1
  timers.advance(4000); // T2
  timers.advance(4000); // T2 again
  assert.equal(sent.length, 6);
  assert.equal(tx.ack(ACK), true);
  timers.advance(10_000);
  assert.equal(sent.length, 6);
});

test('without an ACK, Timer H (64·T1) gives up and reports it', () => {
  const { tx, timers, timeouts } = layer();
  tx.receive(INVITE, from);
  tx.respond(INVITE, buildResponse(INVITE, 200, 'OK', 'x'));
  timers.advance(31_999);
  assert.equal(timeouts.length, 0);
  timers.advance(1);
  assert.equal(timeouts.length, 1);
  assert.equal(tx.size, 0);
});

test('a non-2xx final response is retransmitted until the ACK of the same branch (Timer G)', () => {
  const { tx, sent, timers } = layer();
  tx.receive(INVITE, from);
  tx.respond(INVITE, buildResponse(INVITE, 486, 'Busy Here', 'x'));
  timers.advance(500);
  assert.equal(sent.length, 2);
  const ackSameBranch = {
    ...ACK,
    headers: INVITE.headers.map((h) => (h.key === 'cseq' ? { ...h, value: '1 ACK' } : h)),
    method: 'ACK',
  };
  assert.equal(tx.ack(ackSameBranch), false);
  timers.advance(5000);
  assert.equal(sent.length, 2);
});

test('a client BYE over UDP is retransmitted until its final response', async () => {
  const { tx, sent, timers } = layer();
  const bye = parseSipMessage(
    'BYE sip:src@h SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-b\r\nFrom: <sip:srs@h>;tag=x\r\nTo: <sip:a@h>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 BYE\r\n\r\n',
  ) as SipRequest;
  const done = tx.request(from, bye);
  timers.advance(500);
  assert.equal(sent.length, 2);
  tx.receiveResponse(buildResponse(bye, 200, 'OK'));
  assert.equal((await done)?.status, 200);
  timers.advance(5000);
  assert.equal(sent.length, 2);
});
