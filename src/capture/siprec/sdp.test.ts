import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isEcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { mediaAddress, parseSdp } from './sdp.parser.ts';
import { buildSrsAnswer } from './sdp.answer.ts';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 7000 RTP/AVP 18 8 0 101',
  'c=IN IP4 192.0.2.9',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:30',
  'a=maxptime:60',
  'a=sendonly',
  'a=label:a_leg',
  'a=rtcp:7005',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz',
  'm=audio 7002 RTP/AVP 18',
  'a=sendonly',
  'm=video 0 RTP/AVP 96',
  '',
].join('\r\n');

test('parses origin, per-media connection, static and dynamic payload maps, ptime, label, rtcp, crypto', () => {
  const s = parseSdp(OFFER);
  assert.equal(s.origin?.sessionVersion, '2');
  const [a, b, v] = s.media;
  assert.ok(a && b && v);
  assert.deepEqual(a.fmts, ['18', '8', '0', '101']);
  assert.deepEqual(
    a.rtpmaps.map((r) => r.encoding),
    ['G729', 'PCMA', 'PCMU', 'telephone-event'],
  );
  assert.equal(a.fmtp['101'], '0-16');
  assert.equal(a.ptime, 30);
  assert.equal(a.maxptime, 60);
  assert.equal(a.label, 'a_leg');
  assert.equal(a.rtcp, '7005');
  assert.equal(a.crypto.length, 1);
  assert.equal(mediaAddress(s, a), '192.0.2.9');
  assert.equal(mediaAddress(s, b), '192.0.2.1');
  assert.equal(a.direction, 'sendonly');
  assert.equal(v.direction, 'sendrecv');
});

test('session-level direction is inherited by media without their own', () => {
  const s = parseSdp('v=0\r\nc=IN IP4 1.2.3.4\r\na=inactive\r\nm=audio 1 RTP/AVP 0\r\n');
  assert.equal(s.media[0]?.direction, 'inactive');
});

test('an SDP without m= line, or with a broken line, is SDP_MALFORMED', () => {
  assert.throws(
    () => parseSdp('v=0\r\ns=-\r\n'),
    (e: unknown) => isEcouteError(e, SipErrors.SDP_MALFORMED),
  );
  assert.throws(
    () => parseSdp('v=0\r\nm=audio x RTP/AVP 0\r\n'),
    (e: unknown) => isEcouteError(e, SipErrors.SDP_MALFORMED),
  );
  assert.throws(
    () => parseSdp('hello world'),
    (e: unknown) => isEcouteError(e, SipErrors.SDP_MALFORMED),
  );
});

test('answer: same m-line count and order, first supported codec of the offer, telephone-event kept, ptime echoed, default labels', () => {
  const ans = buildSrsAnswer(parseSdp(OFFER), {
    address: '10.0.0.5',
    ports: [20000, 20002, 20004],
    record: true,
  });
  const s = parseSdp(ans.sdp);
  assert.equal(s.media.length, 3);
  assert.deepEqual(
    s.media.map((m) => m.port),
    [20000, 0, 0],
  ); // G.729 only → rejected; video → rejected
  assert.deepEqual(s.media[0]?.fmts, ['8', '101']);
  assert.equal(s.media[0]?.ptime, 30);
  assert.deepEqual(
    s.media.map((m) => m.label),
    ['a_leg', '2', '3'],
  );
  assert.deepEqual(
    s.media.map((m) => m.direction),
    ['recvonly', 'inactive', 'inactive'],
  );
  assert.equal(s.connection?.address, '10.0.0.5');
});

test('R-MIN-4: a call not to be recorded is answered with every stream inactive on the discard port, so no audio is sent', () => {
  const offer = parseSdp(OFFER.replace('RTP/AVP 18\r\n', 'RTP/AVP 0\r\n'));
  const ans = buildSrsAnswer(offer, { address: '10.0.0.5', ports: [20000, 20002, 20004], record: false });
  const s = parseSdp(ans.sdp);
  assert.equal(s.media.length, 3);
  assert.ok(s.media.every((m) => m.direction === 'inactive'));
  assert.ok(s.media.every((m) => m.port === 9 || m.port === 0));
  assert.ok(!ans.sdp.includes('20000'));
});

test('R-PCI-1: paused streams are answered inactive and keep their ports', () => {
  const offer = parseSdp(OFFER.replace('RTP/AVP 18\r\n', 'RTP/AVP 0\r\n'));
  const ans = buildSrsAnswer(offer, {
    address: '10.0.0.5',
    ports: [20000, 20002],
    record: true,
    pausedStreams: [0, 1],
    sessionVersion: 3,
  });
  const s = parseSdp(ans.sdp);
  assert.deepEqual(
    s.media.slice(0, 2).map((m) => [m.port, m.direction]),
    [
      [20000, 'inactive'],
      [20002, 'inactive'],
    ],
  );
  assert.equal(s.origin?.sessionVersion, '3');
});

test('fuzz: arbitrary text never throws anything but a typed error', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 500 }), (t) => {
      try {
        parseSdp(t);
      } catch (e) {
        if (!isEcouteError(e)) throw e;
      }
    }),
    { numRuns: 400 },
  );
});
