import { buildProgram, runCli } from './cli.ts';
import { commands } from './commands/index.ts';

const err = (t: string): void => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`);
const status = await runCli(buildProgram(commands), process.argv.slice(2), err);
if (status !== 0) process.exitCode = status;
