/**
 * Port numbers for peers that cannot take port 0 (sipp's -p / -mp, a child server's configured port).
 * A port the kernel hands out as ephemeral (bind to 0) can be taken again at once by any outgoing TCP
 * connection of the tests running in parallel (sipp then fails with EADDRINUSE), so the port is drawn below
 * Linux's ephemeral range (32768–60999) and checked bindable on TCP and on UDP, with its odd neighbour free
 * for RTCP when asked.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

const LOW = 20_000;
const HIGH = 32_000;

async function udpFree(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  try {
    s.bind(port, '127.0.0.1');
    await once(s, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    try {
      s.close();
    } catch {
      // never bound
    }
  }
}

async function tcpFree(port: number): Promise<boolean> {
  const s = createServer();
  try {
    s.listen(port, '127.0.0.1');
    await once(s, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** An even port free on TCP and UDP (and `pair`: its odd neighbour free on UDP too). */
export async function freePort(opts: { pair?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + 2 * Math.floor((Math.random() * (HIGH - LOW)) / 2);
    if (!(await tcpFree(port)) || !(await udpFree(port))) continue;
    if (opts.pair && !(await udpFree(port + 1))) continue;
    return port;
  }
  throw new Error('no free port found below the ephemeral range');
}
