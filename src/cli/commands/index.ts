import type { CommandModule } from '../cli.ts';

/**
 * Every command group of the `ecoute` CLI, by its top-level name; each lives in its own
 * `<name>.command.ts` and is imported only when that command runs (a command's dependencies, such as
 * the database or PDF rendering, would otherwise slow every invocation down).
 */
export const commandLoaders: Readonly<Record<string, () => Promise<CommandModule>>> = {
  serve: async () => (await import('./serve.command.ts')).serveCommand,
  policy: async () => (await import('./policy.command.ts')).policyCommand,
  vault: async () => (await import('./vault.command.ts')).vaultCommands,
  user: async () => (await import('./user.command.ts')).userCommand,
  audit: async () => (await import('./audit.command.ts')).auditCommand,
  migrate: async () => (await import('./migrate.command.ts')).migrateCommand,
  agents: async () => (await import('./agents.command.ts')).agentsCommand,
  recordings: async () => (await import('./recordings.command.ts')).recordingsCommand,
  import: async () => (await import('./import.command.ts')).importCommand,
  dsr: async () => (await import('./dsr.command.ts')).dsrCommands,
  holds: async () => (await import('./holds.command.ts')).holdsCommands,
  retention: async () => (await import('./retention.command.ts')).retentionCommands,
  documents: async () => (await import('./documents.command.ts')).documentsCommands,
};

/** The modules a command line needs: the one it names, or all of them (help, unknown command). */
export async function commandsFor(argv: readonly string[]): Promise<CommandModule[]> {
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c' || a === '--config') i++;
    else if (!a.startsWith('-')) {
      name = a;
      break;
    }
  }
  const one = name === undefined ? undefined : commandLoaders[name === 'dsar' ? 'dsr' : name];
  if (one) return [await one()];
  return Promise.all(Object.values(commandLoaders).map((load) => load()));
}
