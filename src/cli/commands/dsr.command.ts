import { SingleBar, Presets } from 'cli-progress';
import type { CommandModule } from '../cli.ts';
import { systemClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { DSR_KINDS, type DsrKind } from '../../db/rights.repo.ts';
import { openRightsServices, type RightsServices } from '../../rights/rights.factory.ts';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const ms = (s: string | undefined): number | undefined => (s === undefined ? undefined : Date.parse(s));

/** `ecoute dsr register|list|find|export|erase|extend|close`: data-subject requests (R-DSR-1..4, R-CAL-4). */
export function dsrCommand(open?: () => Promise<RightsServices>): CommandModule {
  return ({ program, config, out }) => {
    const services = () => (open ? open() : openRightsServices(config(), systemClock, silentLogger));
    const run = async <T>(fn: (s: RightsServices) => Promise<T>): Promise<T> => {
      const s = await services();
      try {
        return await fn(s);
      } finally {
        await s.close();
      }
    };
    const dsr = program
      .command('dsr')
      .alias('dsar')
      .description('data-subject requests: access, erasure, objection, rectification');
    dsr
      .command('register <kind>')
      .description(`register a request (${DSR_KINDS.join(', ')}); the number is kept only as a keyed hash`)
      .option('--number <phone>', 'the person’s phone number')
      .option('--customer <id>', 'customer id')
      .option('--agent <id>', 'agent id')
      .option('--from <date>', 'start of the period (ISO date)')
      .option('--to <date>', 'end of the period (ISO date, exclusive)')
      .option('--received <date>', 'date of receipt (default now)')
      .action(async (kind: string, o: Record<string, string | undefined>) => {
        if (!(DSR_KINDS as readonly string[]).includes(kind))
          throw new Error(`kind must be one of ${DSR_KINDS.join(', ')}`);
        const r = await run((s) =>
          s.rights.register({
            kind: kind as DsrKind,
            subject: {
              phoneNumber: o.number,
              customerId: o.customer,
              agentId: o.agent,
              from: ms(o.from),
              to: ms(o.to),
            },
            ...(o.received !== undefined && { receivedAt: Date.parse(o.received) }),
          }),
        );
        out(`${r.id}  ${r.kind}  due ${day(r.dueAt)}`);
      });
    dsr
      .command('list')
      .option('--all', 'include closed requests')
      .action(async (o: { all?: boolean }) => {
        const list = await run((s) => s.rights.list(o.all ? {} : { open: true }));
        for (const r of list)
          out(
            `${r.id}  ${r.kind.padEnd(13)} ${r.state.padEnd(8)} deadline ${day(r.deadline)}${r.overdue ? '  OVERDUE' : ''}`,
          );
      });
    dsr.command('find <id>').action(async (id: string) => {
      const f = await run((s) => s.rights.find(id));
      out(
        `calls ${f.calls.length}, recordings ${f.recordings.length}, analysis documents ${f.documents.length}, access-log entries ${f.accessLog.length}`,
      );
      for (const r of f.recordings)
        out(`recording ${r.id}  ${new Date(r.startedAt).toISOString()}  ${r.purposes.join(',')}`);
    });
    dsr
      .command('export <id> <zip>')
      .description(
        'R-DSR-2: write the access export (audio, metadata, documents, access log, sha-256 manifest)',
      )
      .action(async (id: string, zip: string) => {
        const bar = new SingleBar(
          { format: 'export [{bar}] {value}/{total} recordings', hideCursor: true },
          Presets.shades_classic,
        );
        let started = false;
        const res = await run((s) =>
          s.rights.export(id, zip, (done, total) => {
            if (!started) bar.start(total, 0);
            started = true;
            bar.update(done);
          }),
        );
        if (started) bar.stop();
        out(`${res.path}  ${res.files.length} files  ${res.bytes} bytes  sha256 ${res.sha256}`);
      });
    dsr
      .command('erase <id>')
      .description(
        'R-DSR-4: delete through the vault with receipts, unless a compelling ground or hold applies',
      )
      .option('--ground <text>', 'a documented compelling ground: nothing is deleted')
      .option('--oppose', 'R-CAL-4: also put the number on the opposition list')
      .action(async (id: string, o: { ground?: string; oppose?: boolean }) => {
        const r = await run((s) =>
          s.rights.erase(id, { compellingGround: o.ground, addToOppositionList: o.oppose ?? false }),
        );
        out(
          `receipts ${r.receipts.length}, kept ${r.kept.length}${r.addedToOppositionList ? ', added to the opposition list' : ''}`,
        );
        for (const k of r.kept) out(`kept ${k.recordingId}: ${k.reason}`);
      });
    dsr
      .command('extend <id>')
      .description('R-DSR-3: extend by two months (reason and notice sent within the first month)')
      .requiredOption('--reason <text>')
      .requiredOption('--notice-sent <date>')
      .action(async (id: string, o: { reason: string; noticeSent: string }) => {
        const r = await run((s) =>
          s.rights.extend(id, { reason: o.reason, noticeSentAt: Date.parse(o.noticeSent) }),
        );
        out(`${r.id} extended until ${day(r.deadline)}`);
      });
    dsr
      .command('close <id>')
      .option('--outcome <text>', 'what was done', 'answered')
      .option('--refuse <reasons>', 'R-DSR-3: refuse, stating the reasons (the right to complain is added)')
      .action(async (id: string, o: { outcome: string; refuse?: string }) => {
        const r = await run((s) =>
          o.refuse ? s.rights.refuse(id, o.refuse) : s.rights.close(id, o.outcome),
        );
        out(`${r.id} ${r.state}`);
      });
  };
}

export const dsrCommands: CommandModule = dsrCommand();
