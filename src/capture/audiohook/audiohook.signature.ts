/**
 * AudioHook upgrade authentication (PROTOCOLS.md B.4): X-API-KEY, plus HTTP Message Signatures
 * (draft-ietf-httpbis-message-signatures, as Genesys implements it) when a client secret is configured:
 * `hmac-sha256` keyed with the base64-decoded secret over the signature base built from the covered
 * components and the `@signature-params` line. Bounds: at most 10 s old, 3 s of clock skew, not expired,
 * nonce never seen before. Pure given a clock. The result says only ok or not; the reason is for the log.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../clock.ts';

export const REQUIRED_COMPONENTS = [
  '@request-target',
  '@authority',
  'audiohook-organization-id',
  'audiohook-session-id',
  'audiohook-correlation-id',
  'x-api-key',
] as const;

export const MAX_AGE_MS = 10_000;
export const SKEW_MS = 3_000;

export interface UpgradeRequest {
  /** Path and query as sent (`@request-target`). */
  readonly target: string;
  /** Host header (`@authority`). */
  readonly authority: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AudioHookAuth {
  readonly apiKey: string | undefined;
  /** Base64; empty or undefined: unsigned requests are accepted (X-API-KEY still required). */
  readonly clientSecret: string | undefined;
  readonly clock: Clock;
  readonly nonces: NonceCache;
}

export class NonceCache {
  readonly #seen = new Map<string, number>();
  /** Records the nonce until `until`; false if it was already there (a replay). */
  claim(nonce: string, until: number, now: number): boolean {
    for (const [k, t] of this.#seen) if (t <= now) this.#seen.delete(k);
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, until);
    return true;
  }
}

interface SignatureInput {
  readonly label: string;
  readonly components: readonly string[];
  /** The serialised inner list with its parameters, exactly as sent: the `@signature-params` value. */
  readonly raw: string;
  readonly params: Readonly<Record<string, string | number>>;
}

/** Parses `sig1=("@request-target" …);keyid="…";created=…` (one member; the first is used). */
export function parseSignatureInput(header: string): SignatureInput | undefined {
  const m =
    /^\s*([a-z*][a-z0-9_\-.*]*)=(\(((?:\s*"[^"]*")*)\s*\)((?:;[a-z*][a-z0-9_\-.*]*=(?:"[^"]*"|-?\d+))*))/.exec(
      header,
    );
  if (!m) return undefined;
  const components = [...(m[3] ?? '').matchAll(/"([^"]*)"/g)].map((x) => x[1] as string);
  const params: Record<string, string | number> = {};
  for (const p of (m[4] ?? '').matchAll(/;([a-z*][a-z0-9_\-.*]*)=("([^"]*)"|-?\d+)/g)) {
    params[p[1] as string] = p[3] !== undefined ? p[3] : Number(p[2]);
  }
  return { label: m[1] as string, components, raw: m[2] as string, params };
}

/** `sig1=:base64:` → the bytes of the member named `label`. */
export function parseSignature(header: string, label: string): Buffer | undefined {
  for (const member of header.split(',')) {
    const m = /^\s*([a-z*][a-z0-9_\-.*]*)=:([A-Za-z0-9+/=]*):\s*$/.exec(member);
    if (m && m[1] === label) return Buffer.from(m[2] as string, 'base64');
  }
  return undefined;
}

const header = (h: UpgradeRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return (Array.isArray(v) ? v.join(', ') : v)?.trim();
};

export function signatureBase(req: UpgradeRequest, input: SignatureInput): string | undefined {
  const lines: string[] = [];
  for (const c of input.components) {
    const value =
      c === '@request-target'
        ? req.target
        : c === '@authority'
          ? req.authority.toLowerCase()
          : header(req.headers, c);
    if (value === undefined) return undefined;
    lines.push(`"${c}": ${value}`);
  }
  lines.push(`"@signature-params": ${input.raw}`);
  return lines.join('\n');
}

const equal = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

export function verifyAudioHookUpgrade(
  req: UpgradeRequest,
  auth: AudioHookAuth,
): { ok: true } | { ok: false; reason: string } {
  const no = (reason: string) => ({ ok: false as const, reason });
  const key = header(req.headers, 'x-api-key');
  if (!auth.apiKey || !key || !equal(Buffer.from(key), Buffer.from(auth.apiKey))) return no('api key');
  if (!auth.clientSecret) return { ok: true };
  const inputHeader = header(req.headers, 'signature-input');
  const sigHeader = header(req.headers, 'signature');
  const input = inputHeader ? parseSignatureInput(inputHeader) : undefined;
  const given = input && sigHeader ? parseSignature(sigHeader, input.label) : undefined;
  if (!input || !given) return no('signature missing');
  const { keyid, alg, created, expires, nonce } = input.params;
  if (keyid !== key || (alg !== undefined && alg !== 'hmac-sha256')) return no('keyid or alg');
  if (!REQUIRED_COMPONENTS.every((c) => input.components.includes(c))) return no('components');
  const now = auth.clock.now();
  if (
    typeof created !== 'number' ||
    created * 1000 > now + SKEW_MS ||
    created * 1000 < now - MAX_AGE_MS - SKEW_MS
  )
    return no('created');
  if (typeof expires === 'number' && expires * 1000 < now - SKEW_MS) return no('expired');
  if (typeof nonce !== 'string' || nonce.length < 16) return no('nonce');
  const base = signatureBase(req, input);
  if (base === undefined) return no('component absent');
  const expected = createHmac('sha256', Buffer.from(auth.clientSecret, 'base64'))
    .update(base, 'utf8')
    .digest();
  if (!equal(expected, given)) return no('signature');
  // Claimed only once the signature is good, so a forger cannot burn a legitimate client's nonce.
  if (!auth.nonces.claim(nonce, now + MAX_AGE_MS + 2 * SKEW_MS, now)) return no('nonce replay');
  return { ok: true };
}
