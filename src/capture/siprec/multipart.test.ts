import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isEcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { contentTypeParam, parseMultipart } from './multipart.parser.ts';

test('splits parts with a quoted boundary, LF line ends, preamble and epilogue, any order', () => {
  const body =
    'preamble\n--b 1\nContent-Type: application/rs-metadata\nContent-Disposition: recording-session\n\n<recording/>\n--b 1\nContent-Type: application/sdp\n\nv=0\n--b 1--\nepilogue';
  const parts = parseMultipart(Buffer.from(body), 'multipart/mixed; boundary="b 1"');
  assert.deepEqual(
    parts.map((p) => p.type),
    ['application/rs-metadata', 'application/sdp'],
  );
  assert.equal(parts[0]?.disposition, 'recording-session');
  assert.equal(parts[0]?.body.toString(), '<recording/>');
  assert.equal(parts[1]?.body.toString(), 'v=0');
});

test('CRLF bodies keep their inner CRLFs and lose only the delimiter line end', () => {
  const body = '--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\nm=audio 1 RTP/AVP 0\r\n\r\n--x--\r\n';
  const [p] = parseMultipart(Buffer.from(body), 'multipart/mixed;boundary=x');
  assert.equal(p?.body.toString(), 'v=0\r\nm=audio 1 RTP/AVP 0\r\n');
});

test('a missing boundary parameter or an absent delimiter is MULTIPART_MALFORMED', () => {
  assert.throws(
    () => parseMultipart(Buffer.from('x'), 'multipart/mixed'),
    (e: unknown) => isEcouteError(e, SipErrors.MULTIPART_MALFORMED),
  );
  assert.throws(
    () => parseMultipart(Buffer.from('no parts'), 'multipart/mixed;boundary=q'),
    (e: unknown) => isEcouteError(e, SipErrors.MULTIPART_MALFORMED),
  );
  assert.equal(contentTypeParam('multipart/mixed;BOUNDARY=abc;x=1', 'boundary'), 'abc');
});

test('fuzz: arbitrary bodies never throw anything but a typed error', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (t) => {
      try {
        parseMultipart(Buffer.from(`--k\r\n${t}\r\n--k--`), 'multipart/mixed;boundary=k');
        parseMultipart(Buffer.from(t), 'multipart/mixed;boundary=k');
      } catch (e) {
        if (!isEcouteError(e)) throw e;
      }
    }),
    { numRuns: 400 },
  );
});
