/**
 * The console's one HTTP client. Every call carries the session cookie; every non-GET carries the CSRF
 * double-submit header `x-csrf-token` (the API refuses a mutation without it). Errors arrive as RFC 9457
 * problem details with `code` and `rule`, kept on ApiError so pages can show the rule id.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly rule: string | undefined,
    detail: string,
    /** The whole problem document (extensions such as `findings` of a personal-data refusal). */
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** The route does not exist on this server yet (plain 404 without an Ecoute code). */
export class Unavailable extends Error {}

let csrfToken: string | undefined;
const unauthenticated = new Set<() => void>();

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when any request answers 401 (session expired or revoked). */
export function onUnauthenticated(fn: () => void): () => void {
  unauthenticated.add(fn);
  return () => unauthenticated.delete(fn);
}

function csrfFromCookie(): string | undefined {
  const m = /(?:^|;\s*)([\w-]*csrf[\w-]*)=([^;]+)/i.exec(document.cookie);
  return m?.[2] ? decodeURIComponent(m[2]) : undefined;
}

interface Problem {
  code?: string;
  rule?: string;
  detail?: string;
  title?: string;
  message?: string;
  csrfToken?: string;
}

/**
 * A 404 for the route itself (not for a missing resource, `ECOUTE_API_NOT_FOUND`): the API's
 * `ECOUTE_API_NO_ROUTE`, or a 404 without an Ecoute code (a proxy, or Fastify's default).
 */
export function isNoRoute(p: { code?: string }): boolean {
  return p.code === 'ECOUTE_API_NO_ROUTE' || !p.code?.startsWith('ECOUTE_');
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = csrfToken ?? csrfFromCookie();
    if (token) headers['x-csrf-token'] = token;
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const p = (json ?? {}) as Problem;
  if (typeof p.csrfToken === 'string') csrfToken = p.csrfToken;
  if (res.ok) return json as T;
  if (res.status === 404 && isNoRoute(p)) throw new Unavailable(path);
  if (res.status === 401 && !path.startsWith('/api/auth/')) for (const fn of unauthenticated) fn();
  throw new ApiError(
    res.status,
    p.code,
    p.rule,
    p.detail ?? p.title ?? p.message ?? res.statusText,
    p as Record<string, unknown>,
  );
}

const prefetched = new Map<string, Promise<unknown>>();

/**
 * Starts a GET before the page that needs it is mounted (in parallel with the session check), so the
 * first paint does not wait for two round trips in a row. The page takes it once through `getOnce`.
 */
export function prefetch(path: string): void {
  const p = api<unknown>('GET', path);
  p.catch(() => undefined); // consumed (and reported) by the page, or dropped
  prefetched.set(path, p);
}

export function getOnce<T>(path: string): Promise<T> {
  const p = prefetched.get(path);
  prefetched.delete(path);
  return (p as Promise<T> | undefined) ?? api<T>('GET', path);
}

/** Builds a query string, leaving out empty values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A list answer: a bare array, `{ items, total? }` or `{ entries }` (the access log). */
export type ListAnswer<T> = T[] | { items: T[]; total?: number } | { entries: T[] };

export function itemsOf<T>(r: ListAnswer<T> | undefined): { items: T[]; total: number | undefined } {
  if (!r) return { items: [], total: 0 };
  if (Array.isArray(r)) return { items: r, total: r.length };
  if ('entries' in r) return { items: r.entries ?? [], total: undefined };
  return { items: r.items ?? [], total: r.total };
}
