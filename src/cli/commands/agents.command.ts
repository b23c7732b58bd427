import { readFileSync } from 'node:fs';
import { ExitCode, type CommandModule } from '../cli.ts';
import { parseAgentsCsv } from '../../db/agents.import.ts';
import { openDatabaseFromConfig, type Db } from '../../db/index.ts';
import type { Agent } from '../../db/agents.repo.ts';

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());

function table(agents: readonly Agent[]): string {
  const rows = agents.map((a) => [
    a.id,
    a.displayName,
    a.teamId ?? '-',
    a.sipAor ?? a.extension ?? '-',
    a.protectedLine ? 'protected' : a.neverRecord ? 'never-record' : '-',
    a.noticeVersion === undefined ? 'not acknowledged' : `v${a.noticeVersion} ${iso(a.noticeAckedAt)}`,
  ]);
  const head = ['ID', 'NAME', 'TEAM', 'LINE', 'FLAGS', 'NOTICE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [head, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function withDb<T>(open: () => Promise<Db>, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** `ecoute agents import|ack|list`: the agent directory R-EMP-2/4/5 rely on at every call. */
export const agentsCommand: CommandModule = ({ program, config, out, err }) => {
  const agents = program
    .command('agents')
    .description('the agent directory: teams, lines, notice acknowledgements');
  const open = () => openDatabaseFromConfig(config());

  agents
    .command('import')
    .argument(
      '<file>',
      'CSV with a header: id, display name, team, SIP AOR or extension, protected-line flag',
    )
    .description('create or update agents from a CSV file (all rows or none)')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        err(`ecoute: cannot read ${file}: ${(e as Error).message}`);
        throw new ExitCode(1);
      }
      const inputs = parseAgentsCsv(text);
      await withDb(open, (db) =>
        db.transaction(async (tx) => {
          for (const a of inputs) await tx.agents.upsert(a);
        }),
      );
      out(`imported ${inputs.length} agent${inputs.length === 1 ? '' : 's'}`);
    });

  agents
    .command('ack')
    .argument('<agent>', 'agent id')
    .requiredOption('--notice-version <n>', 'employee-notice version the agent acknowledged')
    .description("record an agent's acknowledgement of the employee notice (R-EMP-2)")
    .action(async (agentId: string, opts: { noticeVersion: string }) => {
      const version = Number(opts.noticeVersion);
      if (!Number.isInteger(version) || version < 1) {
        err(`ecoute: --notice-version must be a positive integer, got "${opts.noticeVersion}"`);
        throw new ExitCode(2);
      }
      const a = await withDb(open, (db) => db.agents.ack(agentId, version, 'cli'));
      out(`agent ${a.id} acknowledged notice v${version} at ${iso(a.noticeAckedAt)}`);
    });

  agents
    .command('list')
    .option('--team <team>', 'only this team')
    .option('--json', 'JSON output')
    .description('list agents with their team, line, flags and acknowledged notice')
    .action(async (opts: { team?: string; json?: boolean }) => {
      const list = await withDb(open, (db) => db.agents.list(opts.team ? { teamId: opts.team } : {}));
      out(opts.json ? JSON.stringify(list, null, 2) : table(list));
    });
};
