import { Command } from 'commander';
import { loadConfig, type Config } from '../config/config.ts';
import { isEcouteError } from '../errors.ts';

/** What every command module receives: the program, and a way to load the configuration lazily. */
export interface CliContext {
  readonly program: Command;
  /** Loads the Config once, from `--config` / ECOUTE_CONFIG and the environment. */
  readonly config: () => Config;
  /** Where commands print results (stdout) and diagnostics (stderr); swapped in tests. */
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export type CommandModule = (ctx: CliContext) => void;

/** Thrown by a command to exit with a status after having printed its own message. */
export class ExitCode extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

export function buildProgram(
  modules: readonly CommandModule[],
  io?: Pick<CliContext, 'out' | 'err'>,
): Command {
  const program = new Command('ecoute')
    .description('Ecoute: call recording and listening for contact centres, lawful by construction')
    .option('-c, --config <file>', 'configuration file (ecoute.yaml or ecoute.json); default ECOUTE_CONFIG')
    .showHelpAfterError()
    .exitOverride();
  let cached: Config | undefined;
  const ctx: CliContext = {
    program,
    config: () => (cached ??= loadConfig({ file: program.opts<{ config?: string }>().config })),
    out: io?.out ?? ((t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`)),
    err: io?.err ?? ((t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`)),
  };
  for (const m of modules) m(ctx);
  return program;
}

/** Runs the program; errors go to stderr with their code and a non-zero exit. Returns the exit status. */
export async function runCli(
  program: Command,
  argv: readonly string[],
  err: (t: string) => void,
): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.status;
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      return ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version'
        ? 0
        : (ce.exitCode ?? 2);
    }
    if (isEcouteError(e)) {
      err(`ecoute: ${e.code}${e.rule ? ` [${e.rule}]` : ''}: ${e.message}`);
      return 1;
    }
    err(`ecoute: unexpected error: ${(e as Error).stack ?? String(e)}`);
    return 70;
  }
}
