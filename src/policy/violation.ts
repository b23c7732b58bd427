/** A refusal of a policy file: the rule that refuses it, where, and why in French and in English. */
import type { RuleId } from '../errors.ts';
import type { Bilingual } from './policy.types.ts';

export interface Violation {
  readonly rule: RuleId;
  /** Field path in the file, e.g. `policies[0].sampling.rate`. */
  readonly path: string;
  readonly message: Bilingual;
}

export function violation(rule: RuleId, path: string, fr: string, en: string): Violation {
  return { rule, path, message: { fr, en } };
}

/** `/policies/0/sampling/rate` (JSON pointer) → `policies[0].sampling.rate`. */
export function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

/** Joins a base path and a child key. */
export function at(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
