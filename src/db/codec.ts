/**
 * Column codecs shared by the repositories, so that both dialects return the same values: JSON as text,
 * booleans as 0/1, ms timestamps as numbers (pg's int8 parsing is also set in dialects.ts), nulls as
 * undefined in domain objects.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PageRequest } from './types.ts';

export const toJson = (v: unknown): string => JSON.stringify(v ?? null);

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined) return fallback;
  return JSON.parse(text) as T;
}

export const flag = (b: boolean | undefined): number => (b ? 1 : 0);
export const isSet = (n: number | string | null | undefined): boolean => Number(n) === 1;

/** pg may hand back bigint/numeric as strings; everything numeric leaves the store as a number. */
export function num(v: number | string | bigint | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  return Number(v);
}

export const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
export const nul = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

export const newId = (): string => randomUUID();

export function pageLimit(page: PageRequest | undefined): number {
  const l = page?.limit ?? 50;
  return Math.max(1, Math.min(500, Math.floor(l)));
}

/** Cursor for (ms, id) keyset pagination: opaque to callers. */
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [number, string] | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through: a bad cursor is treated as "from the start" rather than an error page
  }
  return undefined;
}

/** Runs fn in a transaction, or directly when `k` already is one (Kysely does not nest). */
export async function inTransaction<DB, T>(k: Kysely<DB>, fn: (tx: Kysely<DB>) => Promise<T>): Promise<T> {
  if (k.isTransaction) return fn(k);
  return k.transaction().execute(fn);
}

/** 'YYYY-MM-DD' of an instant in UTC (counters and caps are per UTC day). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
