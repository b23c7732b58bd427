#!/usr/bin/env node
// Builds the console (web/) into web/dist with Vite when web/dist is missing or older than any source
// file; a fast no-op otherwise. Run by `npm install` (postinstall) and `npm start` (prestart), so a user
// never needs a separate build step. Usage: node scripts/build-web.mjs [--force] [--quiet]
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'web');
const dist = join(web, 'dist', 'index.html');
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');

/** Newest modification time among the console's sources (web/src, index.html, vite config). */
function newestSource() {
  let newest = 0;
  const visit = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['src', 'index.html', 'vite.config.ts']) {
    const full = join(web, p);
    if (existsSync(full)) visit(full);
  }
  return newest;
}

const upToDate = () => !force && existsSync(dist) && statSync(dist).mtimeMs >= newestSource();
if (upToDate()) {
  if (!quiet) console.log('console: web/dist is up to date');
  process.exit(0);
}

// One build at a time: test suites running in parallel each ask for the console, and two Vite builds
// emptying and writing web/dist together leave a half-written console. The lock is a directory (mkdir is
// atomic); a lock older than 5 minutes is a build that died and is taken over.
const lock = join(web, '.build.lock');
const sleep = new Int32Array(new SharedArrayBuffer(4));
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    Atomics.wait(sleep, 0, 0, 200);
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
if (upToDate()) {
  if (!quiet) console.log('console: web/dist was built by another process meanwhile');
  process.exit(0);
}

let vite;
try {
  vite = await import('vite');
} catch {
  // A production install without devDependencies cannot build; a shipped web/dist still serves.
  console.warn(
    existsSync(dist)
      ? 'console: vite is not installed; serving the existing web/dist'
      : 'console: vite is not installed and web/dist is missing; the console will not be served',
  );
  process.exit(0);
}

const started = Date.now();
await vite.build({ configFile: join(web, 'vite.config.ts'), root: web, logLevel: quiet ? 'warn' : 'info' });
console.log(`console: built web/dist in ${Date.now() - started} ms`);
