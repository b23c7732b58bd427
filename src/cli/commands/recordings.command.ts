import { ExitCode, type CommandModule } from '../cli.ts';
import { openDatabaseFromConfig } from '../../db/index.ts';
import { RECORDING_STATES, type Recording, type RecordingState } from '../../db/recordings.repo.ts';

/** What the listing shows: never the customer number nor its hash. */
interface Listed {
  readonly id: string;
  readonly startedAt: string;
  readonly durationMs: number | null;
  readonly agentId: string | null;
  readonly team: string | null;
  readonly policy: string;
  readonly state: RecordingState;
  readonly expiresAt: string | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

const listed = (r: Recording): Listed => ({
  id: r.id,
  startedAt: iso(r.startedAt) ?? '',
  durationMs: r.durationMs ?? null,
  agentId: r.agentId ?? null,
  team: r.team ?? null,
  policy: `${r.policyId}@${r.policyVersion}`,
  state: r.state,
  expiresAt: iso(r.expiresAt),
});

function duration(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** `ecoute recordings list`: recordings' metadata, newest first. */
export const recordingsCommand: CommandModule = ({ program, config, out, err }) => {
  const recordings = program.command('recordings').description("recordings' metadata");
  recordings
    .command('list')
    .option('--json', 'JSON output')
    .option('--limit <n>', 'at most this many (default 50, at most 500)', '50')
    .option('--agent <id>', 'only this agent')
    .option('--team <team>', 'only this team')
    .option('--state <state>', `only this state (${RECORDING_STATES.join(', ')})`)
    .description('list recordings: id, start, duration, agent, policy, state, expiry (no customer number)')
    .action(
      async (opts: { json?: boolean; limit: string; agent?: string; team?: string; state?: string }) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1) {
          err(`ecoute: --limit must be a positive integer, got "${opts.limit}"`);
          throw new ExitCode(2);
        }
        const state = opts.state as RecordingState | undefined;
        if (state !== undefined && !RECORDING_STATES.includes(state)) {
          err(`ecoute: --state must be one of ${RECORDING_STATES.join(', ')}`);
          throw new ExitCode(2);
        }
        const db = await openDatabaseFromConfig(config());
        try {
          const page = await db.recordings.search(
            {
              ...(opts.agent !== undefined && { agentId: opts.agent }),
              ...(opts.team !== undefined && { teams: [opts.team] }),
              ...(state !== undefined && { states: [state] }),
            },
            { limit },
          );
          const rows = page.items.map(listed);
          if (opts.json) {
            out(JSON.stringify(rows, null, 2));
            return;
          }
          const head = ['ID', 'START', 'DURATION', 'AGENT', 'POLICY', 'STATE', 'EXPIRES'];
          const cells = rows.map((r) => [
            r.id,
            r.startedAt,
            duration(r.durationMs),
            r.agentId ?? '-',
            r.policy,
            r.state,
            r.expiresAt ?? '-',
          ]);
          const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
          out(
            [head, ...cells]
              .map((c) =>
                c
                  .map((x, i) => x.padEnd(w[i] ?? 0))
                  .join('  ')
                  .trimEnd(),
              )
              .join('\n'),
          );
        } finally {
          await db.close();
        }
      },
    );
};
