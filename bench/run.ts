/**
 * `npm run bench [-- NAME ...]`: runs bench/<name>.bench.ts (all when no name is given), prints each figure
 * with its ratio to the baseline measured in the same run, and writes bench/out/results.json with a
 * description of the machine. Copy the printed table into bench/RESULTS.md with the command.
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from './bench.types.ts';

const dir = new URL('.', import.meta.url).pathname;
const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const chosen = names.length ? all.filter((n) => names.includes(n)) : all;
if (chosen.length === 0) {
  console.error(`no benchmark named ${names.join(', ')}; have: ${all.join(', ')}`);
  process.exit(2);
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  loadavg: loadavg().map((x) => x.toFixed(2)),
  at: new Date().toISOString(),
};
console.log(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadavg.join(' ')}`,
);

const fmt = (n: number): string =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
const out: Record<string, BenchResult[]> = {};
let failed = false;
for (const name of chosen) {
  console.log(`\n## ${name}\n`);
  console.log('| figure | value | baseline | ratio | target | met |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  try {
    const mod = (await import(pathToFileURL(`${dir}${name}.bench.ts`).href)) as BenchModule;
    const results = await mod.run(flags);
    out[name] = results;
    for (const r of results) {
      const base = r.baseline === undefined ? '' : `${fmt(r.baseline)} ${r.unit}`;
      const ratio = r.ratio === undefined ? '' : fmt(r.ratio);
      const met = r.met === undefined ? '' : r.met ? 'yes' : 'NO';
      console.log(
        `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${base} | ${ratio} | ${r.target ?? ''} | ${met} |${r.note ? ` ${r.note}` : ''}`,
      );
    }
  } catch (e) {
    failed = true;
    console.log(`| ${name} failed: ${(e as Error).message} | | | | | |`);
  }
}
mkdirSync(`${dir}out`, { recursive: true });
writeFileSync(`${dir}out/results.json`, JSON.stringify({ machine, results: out }, null, 2));
console.log(`\nwritten: bench/out/results.json`);
if (failed) process.exitCode = 1;
