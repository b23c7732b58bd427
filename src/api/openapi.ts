/**
 * Writes docs/openapi.json from the routes' schemas: `node --import tsx src/api/openapi.ts`.
 * A test regenerates it and compares, so the checked-in document is always current.
 */
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../db/index.ts';
import { loadConfig } from '../config/config.ts';
import { silentLogger } from '../log.ts';
import { FakeClock } from '../clock.ts';
import { AccessLog } from '../audit/access-log.ts';
import { buildApp } from './app.ts';

export async function openApiDocument(): Promise<string> {
  const clock = new FakeClock();
  const db = await openDatabase({ sqliteFile: ':memory:', clock });
  try {
    const accessLog = new AccessLog({
      db: db.kysely,
      dialect: 'sqlite',
      clock,
      checkpointKey: randomBytes(32),
      retentionDays: 365,
    });
    const app = await buildApp({
      config: loadConfig({ env: {} }),
      db: db.kysely,
      dialect: 'sqlite',
      clock,
      log: silentLogger,
      accessLog,
    });
    const doc = `${JSON.stringify(app.swagger(), null, 2)}\n`;
    await app.close();
    return doc;
  } finally {
    await db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../../docs/openapi.json', import.meta.url), await openApiDocument());
}
