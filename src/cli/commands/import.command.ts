import { SingleBar, Presets } from 'cli-progress';
import type { CommandModule } from '../cli.ts';
import type { Config } from '../../config/config.ts';
import { fail } from '../../errors.ts';
import type { CaptureSink } from '../../capture/capture.port.ts';
import { ImportErrors } from '../../capture/import/errors.ts';
import { importRecordings } from '../../capture/import/import.runner.ts';

/** The recorder as the import needs it: a capture sink and a way to release it (database, vault). */
export interface OpenedSink {
  readonly sink: CaptureSink;
  close(): Promise<void>;
}

export type OpenSink = (config: Config) => Promise<OpenedSink>;

/** The recorder from the composition root, once it exports `openCaptureSink(config)`. */
const fromMain: OpenSink = async (config) => {
  const main: Record<string, unknown> = await import('../../main.ts');
  const open = main.openCaptureSink;
  if (typeof open !== 'function') throw fail(ImportErrors.NO_RECORDER);
  return (open as OpenSink)(config);
};

/** `ecoute import DIR --map mapping.yaml`; `openSink` is injectable so tests can import into a test sink. */
export function makeImportCommand(openSink: OpenSink = fromMain): CommandModule {
  return ({ program, config, out }) => {
    program
      .command('import')
      .description(
        'import finished PBX recordings (WAV + CSV/JSON of call facts) through the policy decision',
      )
      .argument('<dir>', 'directory holding the WAV files')
      .requiredOption(
        '-m, --map <file>',
        'mapping.yaml: facts file, column mapping, channels (docs/ingest.md)',
      )
      .option('--no-progress', 'no progress bar')
      .action(async (dir: string, opts: { map: string; progress: boolean }) => {
        const opened = await openSink(config());
        const bar =
          opts.progress && process.stderr.isTTY
            ? new SingleBar({ stream: process.stderr }, Presets.shades_classic)
            : undefined;
        try {
          const summary = await importRecordings({
            dir,
            mappingFile: opts.map,
            sink: opened.sink,
            onProgress: (done, total) => {
              if (done === 1) bar?.start(total, 0);
              bar?.update(done);
            },
          });
          bar?.stop();
          out(
            [
              `imported: ${summary.imported} (${(summary.importedMs / 1000).toFixed(1)} s of audio)`,
              `not recorded by policy: ${summary.notRecorded}`,
              `refused, past retention [R-RET-1]: ${summary.expired}`,
              `failed: ${summary.failed.length}`,
              ...summary.failed.map((f) => `  row ${f.row} ${f.file}: ${f.code}: ${f.message}`),
              `total: ${summary.total}`,
            ].join('\n'),
          );
        } finally {
          bar?.stop();
          await opened.close();
        }
      });
  };
}

export const importCommand: CommandModule = makeImportCommand();
