import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULES, coverageMarkdown } from '../scripts/rulebook-coverage.ts';

test('docs/rulebook-coverage.md is current (regenerate with node --import tsx scripts/rulebook-coverage.ts)', () => {
  const doc = readFileSync(new URL('../docs/rulebook-coverage.md', import.meta.url), 'utf8');
  assert.equal(doc, coverageMarkdown());
});

test('every rule of the rulebook is enforced somewhere and named by a test', () => {
  const doc = coverageMarkdown();
  const missing = RULES.map(([id]) => id).filter(
    (id) =>
      !doc.includes(`| ${id} |`) || !new RegExp(`\\| ${id} \\|[^\\n]*\\| enforced and tested \\|`).test(doc),
  );
  assert.deepEqual(missing, [], `rules not both enforced and tested: ${missing.join(', ')}`);
});
