import type { CommandModule } from '../cli.ts';
import { openDatabaseFromConfig } from '../../db/index.ts';

/** `ecoute migrate`: brings the metadata store to the latest schema (also done at every start). */
export const migrateCommand: CommandModule = ({ program, config, out }) => {
  program
    .command('migrate')
    .description('apply pending database migrations (SQLite under dataDir, or database.url)')
    .action(async () => {
      const db = await openDatabaseFromConfig(config());
      try {
        const { applied, current } = db.migrations;
        out(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migration');
        out(`schema: ${current[current.length - 1] ?? '(empty)'} (${db.dialect})`);
      } finally {
        await db.close();
      }
    });
};
