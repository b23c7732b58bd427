import type { CommandModule } from '../cli.ts';
import { ExitCode } from '../cli.ts';
import { systemClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import type { Vault } from '../../vault/vault.ts';

/**
 * `ecoute vault verify [ID]`: checks every recording (or one) for missing, corrupt and orphaned blobs;
 * exits 1 when anything is wrong. `vault` is injectable for tests; by default it is built from the config.
 */
export function vaultCommand(open?: () => Promise<Vault>): CommandModule {
  return ({ program, config, out, err }) => {
    const vault = program.command('vault').description('the encrypted recording vault');
    vault
      .command('verify [id]')
      .description('check recordings: missing, corrupt (authentication or sha-256) and orphaned blobs')
      .option('--json', 'print the report as JSON')
      .action(async (id: string | undefined, opts: { json?: boolean }) => {
        let close = (): Promise<void> => Promise.resolve();
        let v: Vault;
        let expectedSha256: ((id: string) => Promise<string | undefined>) | undefined;
        if (open) v = await open();
        else {
          // The same key store and checksums as the server: the data keys live in the metadata store.
          const { openDatabaseFromConfig } = await import('../../db/index.ts');
          const { createVault } = await import('../../vault/vault.factory.ts');
          const db = await openDatabaseFromConfig(config(), systemClock);
          close = () => db.close();
          v = await createVault(config(), { keyStore: db.dataKeys, clock: systemClock, log: silentLogger });
          expectedSha256 = async (rid) => (await db.recordings.get(rid))?.sha256;
        }
        let report;
        try {
          report = await v.verify({
            ...(id ? { ids: [id] } : {}),
            ...(expectedSha256 ? { expectedSha256 } : {}),
          });
        } finally {
          await close();
        }
        if (opts.json) out(JSON.stringify(report, null, 2));
        else {
          out(
            `checked ${report.checked}: ${report.ok.length} ok, ${report.missing.length} missing, ${report.corrupt.length} corrupt, ${report.orphaned.length} orphaned, ${report.spooling.length} spooling`,
          );
          for (const m of report.missing) out(`missing  ${m}`);
          for (const c of report.corrupt) out(`corrupt  ${c.recordingId}  ${c.code}: ${c.message}`);
          for (const o of report.orphaned) out(`orphaned ${o}`);
        }
        if (report.missing.length + report.corrupt.length + report.orphaned.length > 0) {
          err('ecoute: vault verification found problems');
          throw new ExitCode(1);
        }
      });
  };
}

export const vaultCommands: CommandModule = vaultCommand();
