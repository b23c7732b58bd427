import type { CommandModule } from '../cli.ts';

export const serveCommand: CommandModule = ({ program, config, out }) => {
  program
    .command('serve')
    .description('run Ecoute: API, console, capture and jobs (embedded default: SQLite and local files)')
    .action(async () => {
      const { startEcoute } = await import('../../main.ts');
      const running = await startEcoute(config());
      out(`ecoute: listening on ${running.url}`);
      await running.closed;
    });
};
