#!/usr/bin/env node
// Runs the test suites with node's own test runner (through tsx), and ends with a plain
// "tests: N passed, N failed" line. Usage: node scripts/test.mjs [--tier unit|int|e2e] [path-filter ...]
//   unit: *.test.ts of pure code; int: *.int.test.ts (real SQLite, PostgreSQL, filesystem, S3); e2e: test/e2e.
import { spawn } from 'node:child_process';
import { readdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir, availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const tiers = [];
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--tier') tiers.push(args[++i]);
  else filters.push(args[i]);
}

function walk(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const tierOf = (f) => (f.includes('/test/e2e/') ? 'e2e' : f.endsWith('.int.test.ts') ? 'int' : 'unit');
const files = [...walk(join(root, 'src')), ...walk(join(root, 'test'))]
  .filter((f) => tiers.length === 0 || tiers.includes(tierOf(f)))
  .filter((f) => filters.length === 0 || filters.some((x) => relative(root, f).includes(x)))
  .sort();

if (files.length === 0) {
  console.error('no test file matched');
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'ecoute-test-'));
const tap = join(tmp, 'report.tap');
const concurrency = Math.max(2, Math.min(4, availableParallelism() + 1));
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=180000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  let pass = 0;
  let fail = 0;
  try {
    const text = readFileSync(tap, 'utf8');
    pass = Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
    fail = Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0);
    // A suite whose hook failed (a service that did not start) is not counted in `# fail`: count it here.
    if (code !== 0) fail = Math.max(fail, (text.match(/^not ok /gm) ?? []).length, 1);
  } catch {
    fail = Math.max(fail, 1);
  }
  rmSync(tmp, { recursive: true, force: true });
  console.log(`\ntests: ${pass} passed, ${fail} failed`);
  process.exit(code ?? (signal ? 1 : 0));
});
