import type { CommandModule } from '../cli.ts';
import { systemClock } from '../../clock.ts';
import { createLogger } from '../../log.ts';
import { runRetention } from '../../jobs/retention.job.ts';
import { openRightsServices } from '../../rights/rights.factory.ts';

/** `ecoute retention run`: one retention pass now (R-RET-1..6); the server runs it on its scheduler. */
export const retentionCommands: CommandModule = ({ program, config, out }) => {
  const retention = program.command('retention').description('retention: deletion of what expired');
  retention
    .command('run')
    .option('--json', 'print the report as JSON')
    .action(async (o: { json?: boolean }) => {
      const log = createLogger('warn');
      const c = config();
      const s = await openRightsServices(c, systemClock, log);
      try {
        const r = await runRetention({
          db: s.db,
          deletion: s.deletion,
          clock: systemClock,
          log,
          batchSize: c.retention.batchSize,
        });
        if (o.json) out(JSON.stringify(r, null, 2));
        else {
          out(
            `recordings shredded ${r.recordingsShredded}, audio deleted ${r.audioDeleted}, documents deleted ${r.documentsDeleted}, held past date ${r.heldPastDate}, skipped ${r.skipped}, failures ${r.failures}`,
          );
          for (const a of r.alerts)
            out(
              `ALERT R-RET-6: hold ${a.holdId} (owner ${a.owner}) past its review date ${new Date(a.reviewAt).toISOString().slice(0, 10)}`,
            );
        }
      } finally {
        await s.close();
      }
    });
};
