/** Policy text (YAML or JSON) to an unvalidated value; `validate()` decides what it is worth. Pure: no I/O. */
import { parse as parseYaml } from 'yaml';
import { fail } from '../errors.ts';
import { PolicyErrors } from './errors.ts';

export type PolicyTextFormat = 'yaml' | 'json';

/** Guesses the format from a file name (`.json` → json, anything else → yaml). */
export function formatOfName(name: string): PolicyTextFormat {
  return name.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

export function parsePolicyText(text: string, format: PolicyTextFormat): unknown {
  try {
    // YAML 1.2 core schema: `2026-11-01` stays a string, as the JSON Schema expects.
    return format === 'json'
      ? (JSON.parse(text) as unknown)
      : (parseYaml(text, { schema: 'core', uniqueKeys: true }) as unknown);
  } catch (e) {
    throw fail(
      PolicyErrors.UNREADABLE,
      `the policy file is not valid ${format.toUpperCase()}: ${(e as Error).message}`,
      { format },
      e,
    );
  }
}
