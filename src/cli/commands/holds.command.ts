import type { CommandModule } from '../cli.ts';
import { systemClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { openRightsServices } from '../../rights/rights.factory.ts';
import type { HoldView } from '../../jobs/holds.service.ts';

const line = (h: HoldView): string =>
  `${h.id}  owner ${h.owner}  review ${new Date(h.reviewAt).toISOString().slice(0, 10)}${h.reviewOverdue ? ' OVERDUE' : ''}${h.releasedAt ? ' released' : ''}  ${h.recordingIds.length} recording(s)  ${h.reason}`;

/** `ecoute holds list|create|attach|release` (R-RET-6). */
export const holdsCommands: CommandModule = ({ program, config, out }) => {
  const run = async <T>(
    fn: (s: Awaited<ReturnType<typeof openRightsServices>>) => Promise<T>,
  ): Promise<T> => {
    const s = await openRightsServices(config(), systemClock, silentLogger);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const holds = program
    .command('holds')
    .description('legal holds: suspend deletion with a reason, an owner and a review date');
  holds
    .command('list')
    .option('--active', 'only holds not released')
    .action(async (o: { active?: boolean }) => {
      for (const h of await run((s) => s.holds.list(o.active ? { active: true } : {}))) out(line(h));
    });
  holds
    .command('create')
    .requiredOption('--reason <text>')
    .requiredOption('--owner <who>')
    .requiredOption('--review <date>', 'review date (ISO)')
    .option('--by <user>', 'who creates it', 'cli')
    .argument('[recordings...]')
    .action(async (ids: string[], o: { reason: string; owner: string; review: string; by: string }) => {
      out(
        line(
          await run((s) =>
            s.holds.create(
              { reason: o.reason, owner: o.owner, reviewAt: Date.parse(o.review), createdBy: o.by },
              ids,
            ),
          ),
        ),
      );
    });
  holds.command('attach <hold> <recordings...>').action(async (hold: string, ids: string[]) => {
    out(line(await run((s) => s.holds.attach(hold, ids))));
  });
  holds
    .command('release <hold>')
    .option('--by <user>', 'who releases it', 'cli')
    .action(async (hold: string, o: { by: string }) => {
      out(line(await run((s) => s.holds.release(hold, o.by))));
    });
};
