import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorSpec } from '../src/errors.ts';

const root = new URL('..', import.meta.url).pathname;

function catalogues(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return catalogues(p);
    return e.name === 'errors.ts' ? [p] : [];
  });
}

function isSpec(x: unknown): x is ErrorSpec {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as ErrorSpec).code === 'string' &&
    typeof (x as ErrorSpec).summary === 'string'
  );
}

test('every error code of every src/**/errors.ts is documented in docs/errors.md, with its rule id', async () => {
  const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
  const files = catalogues(join(root, 'src'));
  assert.ok(files.length >= 1);
  const seen = new Set<string>();
  for (const file of files) {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    for (const exported of Object.values(mod)) {
      if (typeof exported !== 'object' || exported === null) continue;
      for (const spec of Object.values(exported)) {
        if (!isSpec(spec)) continue;
        assert.ok(!seen.has(spec.code), `${spec.code} is declared twice (${relative(root, file)})`);
        seen.add(spec.code);
        const line = doc.split('\n').find((l) => l.includes(`\`${spec.code}\``));
        assert.ok(line, `docs/errors.md does not document ${spec.code} (${relative(root, file)})`);
        if (spec.rule)
          assert.ok(
            line.includes(spec.rule),
            `docs/errors.md line for ${spec.code} lacks its rule ${spec.rule}`,
          );
      }
    }
  }
});
