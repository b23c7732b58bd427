import { buildProgram, runCli } from './cli.ts';
import { commandsFor } from './commands/index.ts';

const err = (t: string): void => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`);
const argv = process.argv.slice(2);
const status = await runCli(buildProgram(await commandsFor(argv)), argv, err);
if (status !== 0) process.exitCode = status;
