import type { CommandModule } from '../cli.ts';
import { ExitCode } from '../cli.ts';
import { systemClock } from '../../clock.ts';

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
        const { checkpointKey } = await import('../../audit/checkpoint-key.ts');
        const { KeyRing, loadLocalMasterKey } = await import('../../vault/keyring.ts');
        const keyRing = async () =>
          new KeyRing({
            current: await loadLocalMasterKey({ masterKey: c.vault.masterKey, dataDir: c.dataDir }),
            keyStore: db.dataKeys,
          });
        // The same key as the nodes that signed (audit/checkpoint-key.ts); never creates one.
        const key = await checkpointKey(c, { dialect: db.dialect, keyRing }, { create: false });
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
