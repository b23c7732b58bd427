import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

/** What every repository is built from: the (possibly transactional) Kysely, the dialect and a clock. */
export interface RepoContext {
  readonly k: Kysely<Database>;
  readonly dialect: DialectName;
  readonly clock: Clock;
}

/** A page of results with an opaque cursor to the next one (keyset pagination). */
export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `after` to get the next page; undefined on the last page. */
  readonly next: string | undefined;
}

export interface PageRequest {
  /** Default 50, at most 500. */
  readonly limit?: number;
  readonly after?: string | undefined;
}
