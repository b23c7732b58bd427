import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandModule } from '../cli.ts';
import type { Config } from '../../config/config.ts';
import { ExitCode } from '../cli.ts';
import { systemClock } from '../../clock.ts';

/** The checkpoint key file in the data directory (kept apart from the database, R-SEC-2). */
export const auditKeyPath = (dataDir: string): string => join(dataDir, 'audit-checkpoint.key');

/** The checkpoint key: `audit.checkpointKey` when set (several nodes share it), else the key file. */
export function auditKeyFromConfig(c: Config): Buffer | undefined {
  return c.audit.checkpointKey ? Buffer.from(c.audit.checkpointKey, 'base64') : undefined;
}

export const auditCommand: CommandModule = ({ program, config, out, err }) => {
  const audit = program.command('audit').description('the access log (R-SEC-2)');
  audit
    .command('verify')
    .description('walk the hash chain; exit 1 and print the first broken link')
    .action(async () => {
      const c = config();
      const { openDatabaseFromConfig } = await import('../../db/index.ts');
      const { AccessLog } = await import('../../audit/access-log.ts');
      const db = await openDatabaseFromConfig(c, systemClock, false);
      try {
        const key = auditKeyFromConfig(c) ?? readFileSync(auditKeyPath(c.dataDir));
        const log = new AccessLog({
          db: db.kysely,
          dialect: db.dialect,
          clock: systemClock,
          checkpointKey: key,
          retentionDays: c.audit.retentionDays,
        });
        const r = await log.verify();
        if (!r.ok) {
          err(`ecoute: ECOUTE_AUDIT_CHAIN_BROKEN [R-SEC-2]: first broken link at seq ${r.seq}: ${r.reason}`);
          throw new ExitCode(1);
        }
        out(
          `access log intact: ${r.count} entries${r.ok && r.lastSeq ? ` (seq ${r.firstSeq}..${r.lastSeq})` : ''}`,
        );
      } finally {
        await db.close();
      }
    });
};
