import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { AccessLog } from '../audit/access-log.ts';
import type { AudioSource } from './recordings/audio.ts';

/** Everything the HTTP edge uses, built by src/main.ts (STYLE.md §4). */
export interface ApiDeps {
  readonly config: Config;
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly clock: Clock;
  readonly log: Logger;
  readonly accessLog: AccessLog;
  /** Plaintext audio of sealed recordings (the vault); absent on nodes that do not serve playback. */
  readonly audio?: AudioSource;
  /** Readiness probes (database, blob store); each throws when its dependency is down. */
  readonly probes?: readonly (() => Promise<void>)[];
}
