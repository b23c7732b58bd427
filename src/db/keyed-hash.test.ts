import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isEcouteError } from '../errors.ts';
import { DbErrors } from './errors.ts';
import { decryptNumber, encryptNumber, keyedHash, normalisePhone } from './keyed-hash.ts';

const key = randomBytes(32);

test('R-CAL-4: the same French number in every usual format gives the same keyed hash', () => {
  const forms = [
    '+33612345678',
    '+33 6 12 34 56 78',
    '06 12 34 56 78',
    '06.12.34.56.78',
    '06-12-34-56-78',
    '0033612345678',
    '0033 6 12 34 56 78',
    '+33 (0)6 12 34 56 78',
    '+330612345678',
    'tel:+33612345678',
    'sip:+33612345678@sbc.example;user=phone',
  ];
  for (const f of forms) assert.equal(normalisePhone(f), '+33612345678', f);
  const hashes = new Set(forms.map((f) => keyedHash(f, key)));
  assert.equal(hashes.size, 1);
  assert.notEqual(keyedHash('+33612345679', key), keyedHash('+33612345678', key));
  assert.notEqual(keyedHash('+33612345678', randomBytes(32)), keyedHash('+33612345678', key), 'keyed');
  assert.equal(normalisePhone('+44 20 7946 0958'), '+442079460958');
  assert.equal(keyedHash('anonymous', key), undefined);
  assert.match(keyedHash('0612345678', key) ?? '', /^[0-9a-f]{64}$/);
});

test('R-CAL-4: an encrypted number never contains the clear number, decrypts only with its key and context', () => {
  const enc = encryptNumber('06 12 34 56 78', key, 'call-1') ?? '';
  for (const f of ['0612345678', '612345678', '+33612345678']) assert.ok(!enc.includes(f));
  assert.notEqual(encryptNumber('06 12 34 56 78', key, 'call-1'), enc, 'random IV');
  assert.equal(decryptNumber(enc, key, 'call-1'), '+33612345678');
  assert.ok(
    isEcouteError(
      catchErr(() => decryptNumber(enc, randomBytes(32), 'call-1')),
      DbErrors.NUMBER_UNREADABLE,
    ),
  );
  assert.ok(
    isEcouteError(
      catchErr(() => decryptNumber(enc, key, 'call-2')),
      DbErrors.NUMBER_UNREADABLE,
    ),
    'moved row',
  );
  assert.ok(
    isEcouteError(
      catchErr(() => decryptNumber('garbage', key)),
      DbErrors.NUMBER_UNREADABLE,
    ),
  );
});

test('R-CAL-4: a key of the wrong length is refused', () => {
  const e = catchErr(() => keyedHash('0612345678', new Uint8Array(16)));
  assert.ok(isEcouteError(e, DbErrors.NUMBER_KEY_INVALID));
  assert.equal(e.rule, 'R-CAL-4');
});

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
