import type { CommandModule } from '../cli.ts';
import { loadConfig } from '../../config/config.ts';

export const serveCommand: CommandModule = ({ program, config, out }) => {
  program
    .command('serve')
    .description('run Ecoute: API, console, capture and jobs (embedded default: SQLite and local files)')
    .option(
      '--roles <list>',
      'what this node serves: any of api,ingest,jobs (default: config roles, all three)',
    )
    .action(async (opts: { roles?: string }) => {
      const { startEcoute } = await import('../../main.ts');
      // --roles wins over ECOUTE_ROLES and the file; it is validated like the field itself.
      const cfg =
        opts.roles === undefined
          ? config()
          : loadConfig({
              file: program.opts<{ config?: string }>().config,
              overrides: {
                roles: opts.roles
                  .split(',')
                  .map((r) => r.trim())
                  .filter(Boolean),
              },
            });
      const running = await startEcoute(cfg);
      out(`ecoute: listening on ${running.url} (roles ${cfg.roles.join(',')})`);
      await running.closed;
    });
};
