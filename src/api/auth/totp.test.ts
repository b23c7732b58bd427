import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  base32Decode,
  base32Encode,
  hotp,
  otpauthUri,
  totp,
  verifyTotp,
  generateTotpSecret,
  totpStep,
} from './totp.ts';

// RFC 6238 appendix B: seeds are the ASCII strings below; 8 digits.
const seed1 = Buffer.from('12345678901234567890');
const seed256 = Buffer.from('12345678901234567890123456789012');
const seed512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');
const vectors: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

test('R-SEC-1: TOTP matches the RFC 6238 appendix B vectors (SHA-1, SHA-256, SHA-512)', () => {
  for (const [t, s1, s256, s512] of vectors) {
    assert.equal(totp(seed1, t * 1000, 8, 'sha1'), s1, `sha1 at ${t}`);
    assert.equal(totp(seed256, t * 1000, 8, 'sha256'), s256, `sha256 at ${t}`);
    assert.equal(totp(seed512, t * 1000, 8, 'sha512'), s512, `sha512 at ${t}`);
  }
});

test('HOTP matches RFC 4226 appendix D', () => {
  const expected = [
    '755224',
    '287082',
    '359152',
    '969429',
    '338314',
    '254676',
    '287922',
    '162583',
    '399871',
    '520489',
  ];
  expected.forEach((code, i) => assert.equal(hotp(seed1, i), code));
});

test('base32 round-trips (RFC 4648 vector)', () => {
  assert.equal(base32Encode(Buffer.from('foobar')), 'MZXW6YTBOI');
  assert.equal(base32Decode('MZXW6YTBOI').toString(), 'foobar');
  const s = generateTotpSecret();
  assert.equal(base32Decode(s).length, 20);
});

test('R-SEC-1: a code is accepted within ±1 step, refused beyond, and never replayed', () => {
  const secret = base32Encode(seed1);
  const now = 1_700_000_000_000;
  const step = totpStep(now);
  const prev = hotp(seed1, step - 1);
  const next = hotp(seed1, step + 1);
  const far = hotp(seed1, step + 2);
  assert.equal(verifyTotp(secret, prev, now, undefined), step - 1);
  assert.equal(verifyTotp(secret, next, now, undefined), step + 1);
  assert.equal(verifyTotp(secret, far, now, undefined), undefined);
  const used = verifyTotp(secret, hotp(seed1, step), now, undefined);
  assert.equal(used, step);
  assert.equal(verifyTotp(secret, hotp(seed1, step), now, used), undefined, 'replay refused');
  assert.equal(verifyTotp(secret, prev, now, used), undefined, 'older step refused after a newer one');
  assert.equal(verifyTotp(secret, 'abcdef', now, undefined), undefined);
});

test('otpauth URI carries the secret and issuer for enrolment', () => {
  const uri = new URL(otpauthUri('MZXW6YTBOI', 'alice'));
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), 'MZXW6YTBOI');
  assert.equal(uri.searchParams.get('issuer'), 'Ecoute');
  assert.equal(uri.host, 'totp');
  assert.equal(decodeURIComponent(uri.pathname), '/Ecoute:alice');
});
