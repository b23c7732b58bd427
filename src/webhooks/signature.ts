/**
 * Webhook signatures: `Ecoute-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 of "t.body">`. The
 * timestamp is signed with the body so that a captured delivery cannot be replayed later than the
 * receiver's tolerance; `v1` names the scheme so it can evolve without breaking receivers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'ecoute-signature';

export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** What a receiver does (and what our tests do): recompute, compare in constant time, check freshness. */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): VerifyResult {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map(
    header.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t)) return { ok: false, reason: 'no timestamp' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds)
    return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(signPayload(secret, body, t).split('v1=')[1] ?? '', 'hex');
  const given = Buffer.from(v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
