import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isEcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { parseSipMessage } from './sip.parser.ts';
import { SipStreamFramer } from './sip.framer.ts';
import { buildResponse, header, headerValues, serializeSip, tagOf, type SipRequest } from './sip.message.ts';
import { fixture, withContentLength } from './test.fixtures.ts';

const OPTIONS = [
  'OPTIONS sip:srs@127.0.0.1 SIP/2.0',
  'v: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-0',
  'f: <sip:src@127.0.0.1>;tag=abc',
  't: <sip:srs@127.0.0.1>',
  'i: call-1',
  'CSEQ: 7 OPTIONS',
  'Subject: a folded',
  '  header value',
  'k: siprec,',
  '\t100rel',
  'l: 0',
  '',
  '',
].join('\r\n');

test('parses a request with compact forms, folded lines, lists and any header case', () => {
  const m = parseSipMessage(OPTIONS) as SipRequest;
  assert.equal(m.kind, 'request');
  assert.equal(m.method, 'OPTIONS');
  assert.equal(header(m, 'Call-ID'), 'call-1');
  assert.equal(header(m, 'cseq'), '7 OPTIONS');
  assert.equal(header(m, 'subject'), 'a folded header value');
  assert.deepEqual(headerValues(m, 'supported'), ['siprec', '100rel']);
  assert.equal(headerValues(m, 'via').length, 2);
  assert.equal(tagOf(header(m, 'from')), 'abc');
});

test('accepts bare LF line ends and a body cut to Content-Length on a datagram', () => {
  const text =
    'INFO sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\nFrom: <sip:a@b>;tag=1\nTo: <sip:b@c>\nCall-ID: c\nCSeq: 2 INFO\nContent-Length: 3\n\nabcdef';
  const m = parseSipMessage(text);
  assert.equal(m.body.toString(), 'abc');
});

test('a Content-Length longer than the datagram is malformed, with the partial message for a 400', () => {
  const text = OPTIONS.replace('l: 0', 'l: 50');
  assert.throws(
    () => parseSipMessage(text),
    (e: unknown) =>
      isEcouteError(e, SipErrors.MALFORMED) && (e.context as { partial?: unknown }).partial !== undefined,
  );
});

test('a request without Call-ID is malformed and names the missing header', () => {
  assert.throws(
    () => parseSipMessage(OPTIONS.replace('i: call-1\r\n', '')),
    (e: unknown) => isEcouteError(e, SipErrors.MALFORMED) && /call-id/.test(String(e.context['reason'])),
  );
});

test('parses a response and round-trips through the serializer', () => {
  const req = parseSipMessage(OPTIONS) as SipRequest;
  const res = buildResponse(req, 200, 'OK', 'srs-tag', {
    headers: [['Supported', 'siprec']],
    body: 'x',
    contentType: 'text/plain',
  });
  const back = parseSipMessage(serializeSip(res));
  assert.equal(back.kind, 'response');
  assert.equal(back.kind === 'response' && back.status, 200);
  assert.equal(tagOf(header(back, 'to')), 'srs-tag');
  assert.equal(headerValues(back, 'via').length, 2);
  assert.equal(back.body.toString(), 'x');
});

test('a 64 KiB message is accepted and anything larger is TOO_LARGE', () => {
  const pad = 'a'.repeat(65_535 - 400);
  const big = OPTIONS.replace('l: 0\r\n\r\n', `l: ${pad.length}\r\n\r\n`) + pad;
  assert.ok(Buffer.byteLength(big) <= 65_535);
  assert.equal(parseSipMessage(big).body.length, pad.length);
  assert.throws(
    () => parseSipMessage(big + 'x'.repeat(1000)),
    (e: unknown) => isEcouteError(e, SipErrors.TOO_LARGE),
  );
});

test('the stream framer splits messages across chunks and joins several in one chunk', () => {
  const a = withContentLength(fixture('audiocodes.txt'));
  const b = Buffer.from(OPTIONS);
  const framer = new SipStreamFramer();
  const all = Buffer.concat([a, Buffer.from('\r\n\r\n'), b, a]);
  const out = [];
  for (let i = 0; i < all.length; i += 97) out.push(...framer.push(all.subarray(i, i + 97)));
  assert.deepEqual(
    out.map((r) => r.ok && r.message.kind),
    ['request', 'request', 'request'],
  );
  assert.equal(framer.pending, 0);
});

test('the stream framer skips garbage and an oversize message, then keeps serving the next ones', () => {
  const framer = new SipStreamFramer();
  const huge = OPTIONS.replace('l: 0', 'l: 70000');
  const out = [
    ...framer.push(Buffer.from('GARBAGE\x00\x01 not sip\r\n')),
    ...framer.push(Buffer.from(OPTIONS)),
    ...framer.push(Buffer.from(huge)),
    ...framer.push(Buffer.alloc(70_000, 0x61)),
    ...framer.push(Buffer.from(OPTIONS)),
  ];
  assert.deepEqual(
    out.map((r) => (r.ok ? 'ok' : r.error.code)),
    ['ECOUTE_SIP_MALFORMED', 'ok', 'ECOUTE_SIP_TOO_LARGE', 'ok'],
  );
});

function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isEcouteError(e)) throw e;
  }
}

test('fuzz: arbitrary bytes never throw anything but a typed error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) =>
      onlyTyped(() => parseSipMessage(Buffer.from(bytes))),
    ),
    { numRuns: 400 },
  );
});

test('fuzz: mutated valid messages never throw anything but a typed error, nor hang the framer', () => {
  const base = withContentLength(fixture('cisco-cube.txt'));
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }),
      fc.nat(base.length),
      (edits, cut) => {
        const b = Buffer.from(base);
        for (const [at, v] of edits) b[at] = v;
        onlyTyped(() => parseSipMessage(b));
        onlyTyped(() => parseSipMessage(b.subarray(0, cut)));
        const framer = new SipStreamFramer();
        framer.push(b.subarray(0, cut));
        framer.push(b.subarray(cut));
        framer.push(Buffer.from(OPTIONS));
      },
    ),
    { numRuns: 300 },
  );
});
