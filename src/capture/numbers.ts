/**
 * Customer numbers (personal data): stored only encrypted, searched only by a keyed hash (R-CAL-4,
 * R-DSR-1). Both keys derive (HKDF) from one service key kept in the vault's key store, wrapped by the
 * master key like any data key, so a KMS-held master key protects the numbers too.
 */
import { decryptNumber, encryptNumber, keyedHash } from '../db/keyed-hash.ts';
import type { KeyRing } from '../vault/keyring.ts';
import { deriveKey, serviceKey } from '../vault/service-key.ts';

/** The key store id of the service key (never a recording id: those are UUID-like). */
export const NUMBER_SERVICE_KEY_ID = 'svc-customer-numbers';

export interface NumberProtection {
  /** The HMAC key itself, for services that hash numbers on their own (data-subject requests). */
  readonly hashKey: Uint8Array;
  /** Keyed hash of the normalised number; undefined when it is not a number. */
  hash(raw: string): string | undefined;
  /** `context` binds the ciphertext to its row (the call id), so it cannot be moved to another. */
  encrypt(raw: string, context: string): string | undefined;
  decrypt(encrypted: string, context: string): string;
}

export async function numberProtection(keyRing: KeyRing): Promise<NumberProtection> {
  const service = await serviceKey(keyRing, NUMBER_SERVICE_KEY_ID);
  const hashKey = deriveKey(service, 'ecoute/customer-number/hash/v1');
  const encKey = deriveKey(service, 'ecoute/customer-number/enc/v1');
  service.fill(0);
  return {
    hashKey,
    hash: (raw) => keyedHash(raw, hashKey),
    encrypt: (raw, context) => encryptNumber(raw, encKey, context),
    decrypt: (enc, context) => decryptNumber(enc, encKey, context),
  };
}
