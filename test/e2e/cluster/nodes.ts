/**
 * Ecoute nodes as child processes (`node --import tsx src/cli/main.ts serve`), configured by environment
 * on loopback: each its own data dir (spool, keys), the same PostgreSQL database, S3 bucket, master key
 * and NATS. `start` resolves with the URL the node prints once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly pid: number;
  /** Output of the process so far (for failure messages). */
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

export function startNode(name: string, env: Record<string, string>, roles: string): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--roles', roles], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ecoute: listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1] && child.pid) {
        child.stdout?.off('data', onData);
        child.stdout?.on('data', (x: Buffer) => (out += x.toString()));
        resolve({ name, child, url: m[1], pid: child.pid, output: () => out, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) =>
      reject(new Error(`node ${name} exited with ${code} before listening:\n${out}`)),
    );
  });
}

/** Stops a node gracefully (SIGTERM) and waits for its exit. */
export async function stopNode(n: NodeProcess): Promise<void> {
  if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGTERM');
  await n.exited;
}

/** Reads a gauge or counter (summed over labels) from a node's /metrics. */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}
