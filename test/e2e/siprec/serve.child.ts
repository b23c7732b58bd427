/**
 * `ecoute serve` as a real child process (node --import tsx src/cli/main.ts serve), for the fault tests
 * that must kill the whole server: its pid, its output for failure messages, and an awaited exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = 'src/cli/main.ts';
const READY = /^ecoute: listening on (\S+)/;

export interface ServeChild {
  readonly pid: number;
  /** The API's URL from the ready line. */
  readonly url: string;
  /** Everything the child printed so far (stdout and stderr), for assertion messages. */
  output(): string;
  /** Resolves with the exit code and signal once the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the real CLI with `args` in the project root; resolves with its exit code and output. */
export async function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

/** Starts `ecoute serve` with `env` and resolves on its `ecoute: listening on` line (rejects if it exits first). */
export async function startServe(env: Readonly<Record<string, string>>): Promise<ServeChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const ready = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      text += `${line}\n`;
      const m = READY.exec(line);
      if (m) resolve(m[1] ?? '');
    });
    void exited.then((e) =>
      reject(new Error(`ecoute serve exited (${e.code ?? e.signal}) before ready:\n${text}`)),
    );
  });
  const url = await ready;
  return { pid: child.pid ?? 0, url, output: () => text, exited };
}
