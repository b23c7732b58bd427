import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fr } from '../web/src/i18n/fr.ts';
import { en } from '../web/src/i18n/en.ts';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'web', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

test('the French and English catalogues have exactly the same keys, none empty', () => {
  const frKeys = Object.keys(fr).sort();
  const enKeys = Object.keys(en).sort();
  assert.deepEqual(
    frKeys.filter((k) => !enKeys.includes(k)),
    [],
    'keys missing in en.ts',
  );
  assert.deepEqual(
    enKeys.filter((k) => !frKeys.includes(k)),
    [],
    'keys missing in fr.ts',
  );
  for (const [lang, cat] of [
    ['fr', fr],
    ['en', en],
  ] as const)
    for (const [k, v] of Object.entries(cat)) assert.ok(v.trim().length > 0, `${lang}: ${k} is empty`);
});

test('placeholders ({name}) are the same in both languages', () => {
  const ph = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
  for (const k of Object.keys(fr) as (keyof typeof fr)[]) assert.deepEqual(ph(en[k]), ph(fr[k]), k);
});

test('every key the code names exists in the catalogue', () => {
  const missing: string[] = [];
  for (const f of sources(src)) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([\w.]+)'/g))
      if (!(m[1]! in fr)) missing.push(`${relative(root, f)}: ${m[1]}`);
  }
  assert.deepEqual(missing, []);
});

/**
 * Text between JSX tags, or a literal in a user-visible attribute, bypasses t(). Code (`=>`, generics,
 * comparisons) is excluded by refusing candidates that contain code punctuation.
 */
export function literalTexts(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?<![=\-\s])>([^<>{}]*)</g)) {
    const s = m[1]!.trim();
    if (/[\p{L}]/u.test(s) && !/[;=()&|?:[\]`'"]/.test(s)) found.push(s);
  }
  for (const m of text.matchAll(/\b(?:aria-label|title|placeholder|alt|label)="([^"]*\p{L}[^"]*)"/gu))
    found.push(m[1]!);
  return found;
}

test('no JSX text or visible attribute bypasses t()', () => {
  const offenders: string[] = [];
  for (const f of sources(src).filter((x) => x.endsWith('.tsx')))
    for (const s of literalTexts(readFileSync(f, 'utf8'))) offenders.push(`${relative(root, f)}: ${s}`);
  assert.deepEqual(offenders, []);
});

test('the scan catches a literal (a scan that cannot fail proves nothing)', () => {
  assert.deepEqual(literalTexts('<p>Bonjour</p>'), ['Bonjour']);
  assert.deepEqual(literalTexts('<button aria-label="Close">{t(\'x\')}</button>'), ['Close']);
  assert.deepEqual(literalTexts("<p>{t('home.title')}</p>"), []);
  assert.deepEqual(literalTexts('const f = (a: Array<string>) => a.length > 0 && b < c;'), []);
});
