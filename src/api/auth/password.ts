import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing with scrypt (R-SEC-1: individual accounts). The parameters live in the hash string
 * (`scrypt$N$r$p$salt$hash`, base64url) so they can be raised later without breaking stored hashes.
 */
const DEFAULT = { N: 1 << 15, r: 8, p: 1, keyLen: 32 } as const;

function derive(
  password: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  len: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem must cover 128·N·r bytes; leave headroom.
    scrypt(password.normalize('NFKC'), salt, len, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: { N?: number } = {}): Promise<string> {
  const N = params.N ?? DEFAULT.N;
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, DEFAULT.r, DEFAULT.p, DEFAULT.keyLen);
  return ['scrypt', N, DEFAULT.r, DEFAULT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Constant-time comparison; a malformed hash verifies nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(
    password,
    Buffer.from(salt, 'base64url'),
    Number(n),
    Number(r),
    Number(p),
    expected.length,
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A random one-time password for a new account (printed once, never logged). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
