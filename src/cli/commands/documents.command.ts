import { readFileSync, writeFileSync } from 'node:fs';
import type { CommandModule } from '../cli.ts';
import { systemClock } from '../../clock.ts';
import { silentLogger } from '../../log.ts';
import { DOCUMENTS, renderDocument } from '../../documents/documents.ts';
import { gatherCompliance } from '../../documents/report.data.ts';
import { complianceHtml } from '../../documents/report.html.ts';
import { compliancePdf } from '../../documents/report.pdf.ts';
import { formatOfName, parsePolicyText } from '../../policy/parse.ts';
import { assertValidPolicyFile } from '../../policy/validate.ts';
import { openRightsServices } from '../../rights/rights.factory.ts';

const loadFile = (path: string) =>
  assertValidPolicyFile(parsePolicyText(readFileSync(path, 'utf8'), formatOfName(path)));

/** `ecoute documents render|report`: the DPO's documents (R-DOC-1..4, R-CAL-3, R-EMP-1), fr and en. */
export const documentsCommands: CommandModule = ({ program, config, out }) => {
  const docs = program
    .command('documents')
    .description(
      'generated documents: notices, scripts, register, DPIA pre-check, CSE file, compliance report',
    );
  docs
    .command('render <name> <policyFile>')
    .description(`one of: ${DOCUMENTS.join(', ')}`)
    .option('--lang <fr|en>', 'language', 'fr')
    .option('--out <file>', 'write to a file instead of stdout')
    .action((name: string, policyFile: string, o: { lang: string; out?: string }) => {
      const doc = renderDocument(name, o.lang, loadFile(policyFile), {
        accessLogDays: config().audit.retentionDays,
      });
      if (o.out) writeFileSync(o.out, doc.body);
      else out(doc.body);
    });
  docs
    .command('report <policyFile>')
    .description('R-DOC-4: the compliance report for a period')
    .requiredOption('--from <date>')
    .requiredOption('--to <date>', 'last day included')
    .option('--lang <fr|en>', 'language', 'fr')
    .option('--format <html|pdf>', 'output format', 'html')
    .requiredOption('--out <file>')
    .action(
      async (
        policyFile: string,
        o: { from: string; to: string; lang: 'fr' | 'en'; format: string; out: string },
      ) => {
        const file = loadFile(policyFile);
        const s = await openRightsServices(config(), systemClock, silentLogger);
        try {
          const data = await gatherCompliance(s.db, {
            file,
            from: Date.parse(`${o.from}T00:00:00Z`),
            to: Date.parse(`${o.to}T00:00:00Z`) + 86_400_000,
            now: systemClock.now(),
            // The access log's own verification is `ecoute audit verify`; the server passes its result in.
            integrity: {
              ok: true,
              count: 0,
              reason: 'not verified by this command: run ecoute audit verify',
            },
          });
          writeFileSync(
            o.out,
            o.format === 'pdf' ? await compliancePdf(data, o.lang) : complianceHtml(data, o.lang),
          );
          out(o.out);
        } finally {
          await s.close();
        }
      },
    );
};
