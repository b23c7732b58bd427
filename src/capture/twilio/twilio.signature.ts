/**
 * X-Twilio-Signature on the Media Streams upgrade: base64(HMAC-SHA1(authToken, URL + each POST parameter
 * name and value, sorted by name)). A WebSocket upgrade is a GET, so the signed data is the full URL with
 * its query string, as Twilio dialled it (wss://host/path?query). Like Twilio's own helper libraries, the
 * URL is also tried with its default port added or removed, since proxies differ on that.
 *
 * A Twilio signature carries no time, so it could be replayed forever. Ecoute requires the stream URL to
 * carry `ts` (Unix seconds when the TwiML was generated, inside the signed URL so it cannot be altered),
 * refuses URLs older than `maxAgeMs` or further than `skewMs` in the future, and refuses a signature seen
 * before within that window. Pure given a clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fail, type EcouteError } from '../../errors.ts';
import type { Clock } from '../../clock.ts';
import { TwilioErrors } from './errors.ts';

export function twilioSignature(
  authToken: string,
  url: string,
  params: Readonly<Record<string, string>> = {},
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + (params[k] as string), url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

const DEFAULT_PORT: Readonly<Record<string, string>> = {
  'wss:': '443',
  'https:': '443',
  'ws:': '80',
  'http:': '80',
};

/** The URL as given, and with its default port toggled (Twilio's helpers accept both). */
export function urlVariants(url: string): string[] {
  const u = new URL(url);
  const port = DEFAULT_PORT[u.protocol];
  // URL() normalises a default port away, so an explicit port left in u.port is a non-default one.
  if (!port || u.port !== '') return [url];
  const withPort = `//${u.hostname}:${port}`;
  return url.includes(withPort)
    ? [url, url.replace(withPort, `//${u.hostname}`)]
    : [url, url.replace(`//${u.hostname}`, withPort)];
}

/** Remembers accepted signatures until their URL's window closes (bounded by the window, not by traffic). */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  has(key: string, now: number): boolean {
    for (const [k, until] of this.#seen) if (until <= now) this.#seen.delete(k);
    return this.#seen.has(key);
  }
  add(key: string, until: number): void {
    this.#seen.set(key, until);
  }
  get size(): number {
    return this.#seen.size;
  }
}

export interface UpgradeCheck {
  readonly authToken: string | undefined;
  /** The full URL Twilio dialled, e.g. wss://ecoute.example.com/ingest/twilio?ts=…&nonce=… */
  readonly url: string;
  readonly signature: string | undefined;
  readonly clock: Clock;
  readonly replay: ReplayCache;
  /** Oldest accepted `ts`, ms; default 60 s. */
  readonly maxAgeMs?: number;
  /** Accepted clock skew into the future, ms; default 5 s. */
  readonly skewMs?: number;
}

export function verifyTwilioUpgrade(c: UpgradeCheck): { ok: true } | { ok: false; error: EcouteError } {
  if (!c.authToken || !c.signature) return { ok: false, error: fail(TwilioErrors.UNSIGNED) };
  const given = Buffer.from(c.signature, 'base64');
  const match = urlVariants(c.url).some((u) => {
    const expected = Buffer.from(twilioSignature(c.authToken as string, u), 'base64');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!match) return { ok: false, error: fail(TwilioErrors.SIGNATURE) };
  const tsText = new URL(c.url).searchParams.get('ts');
  const tsMs = tsText && /^\d{9,11}$/.test(tsText) ? Number(tsText) * 1000 : NaN;
  const now = c.clock.now();
  const maxAge = c.maxAgeMs ?? 60_000;
  if (Number.isNaN(tsMs) || tsMs < now - maxAge || tsMs > now + (c.skewMs ?? 5_000)) {
    return {
      ok: false,
      error: fail(TwilioErrors.STALE, 'stream URL timestamp missing or outside the window'),
    };
  }
  if (c.replay.has(c.signature, now)) {
    return { ok: false, error: fail(TwilioErrors.STALE, 'signature already used') };
  }
  c.replay.add(c.signature, tsMs + maxAge + 1);
  return { ok: true };
}
