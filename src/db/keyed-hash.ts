/**
 * Phone numbers at rest (R-CAL-4, R-DSR-1): a keyed hash (HMAC-SHA-256) of the normalised number for
 * exact matching (opposition list, searches), and AES-256-GCM ciphertext when the number itself must be
 * kept (recorded calls). Keys come from the vault's key ring; this module never stores them.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { fail } from '../errors.ts';
import { DbErrors } from './errors.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'n1';

/**
 * E.164-ish normalisation so that one number written many ways hashes the same: strips `tel:`/`sip:`
 * schemes and hosts, spaces, dots, dashes, parentheses and a French trunk `(0)`; `00` becomes `+`;
 * French national forms (`0X XX XX XX XX`) become `+33X…`. Returns undefined for an anonymous or empty
 * caller id.
 */
export function normalisePhone(raw: string): string | undefined {
  let s = raw.trim();
  s = s.replace(/^(tel|sips?):/i, '').replace(/[@;].*$/, '');
  s = s.replace(/\(0\)/g, '').replace(/[\s.\-()/]/g, '');
  if (s === '' || /^(anonymous|unknown|restricted|private)$/i.test(s)) return undefined;
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (/^0[1-9]\d{8}$/.test(s)) s = `+33${s.slice(1)}`;
  // +33 followed by a national trunk 0 (`+33 0 6…`), a frequent data-entry mistake.
  if (/^\+330[1-9]\d{8}$/.test(s)) s = `+33${s.slice(4)}`;
  return s;
}

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES)
    throw fail(
      DbErrors.NUMBER_KEY_INVALID,
      `the ${what} key must be ${KEY_BYTES} bytes (got ${key.length})`,
      {
        expected: KEY_BYTES,
        got: key.length,
      },
    );
}

/** R-CAL-4: hex HMAC-SHA-256 of the normalised number; undefined for an anonymous caller. */
export function keyedHash(rawNumber: string, key: Uint8Array): string | undefined {
  checkKey(key, 'number hashing');
  const n = normalisePhone(rawNumber);
  if (n === undefined) return undefined;
  return createHmac('sha256', key).update(n, 'utf8').digest('hex');
}

/**
 * Encrypts the normalised number under `key`, bound to `context` (e.g. the call id) so a ciphertext cannot
 * be moved to another row. Output: `n1.<base64url(iv | tag | ciphertext)>`.
 */
export function encryptNumber(rawNumber: string, key: Uint8Array, context = ''): string | undefined {
  checkKey(key, 'number encryption');
  const n = normalisePhone(rawNumber);
  if (n === undefined) return undefined;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${VERSION}|${context}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(n, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
}

export function decryptNumber(encrypted: string, key: Uint8Array, context = ''): string {
  checkKey(key, 'number encryption');
  const [version, body] = encrypted.split('.', 2);
  const bytes = Buffer.from(body ?? '', 'base64url');
  if (version !== VERSION || bytes.length < IV_BYTES + TAG_BYTES)
    throw fail(DbErrors.NUMBER_UNREADABLE, 'the encrypted number has an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`${VERSION}|${context}`, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch (e) {
    throw fail(DbErrors.NUMBER_UNREADABLE, 'the encrypted number cannot be decrypted with this key', {}, e);
  }
}
