/**
 * The policies in force, as the recorder reads them at every call. Loaded from the policy file at start
 * (refused whole when invalid: an unlawful configuration never runs) and replaced when the DPO activates
 * or retires a policy. No policy in force means nothing is recorded.
 */
import { readFileSync } from 'node:fs';
import { fail } from '../errors.ts';
import { decisionContext, type DecisionContext } from '../policy/decide.ts';
import { formatOfName, parsePolicyText } from '../policy/parse.ts';
import type { PolicyFile } from '../policy/policy.types.ts';
import { validate } from '../policy/validate.ts';
import { PolicyErrors } from '../policy/errors.ts';

export interface PolicyInForce {
  readonly file: PolicyFile;
  readonly context: DecisionContext;
}

export class PolicySource {
  #current: PolicyInForce | undefined;
  readonly #listeners = new Set<(p: PolicyInForce | undefined) => void>();

  current(): PolicyInForce | undefined {
    return this.#current;
  }

  /** Validates and puts a policy file in force; throws with every violation when it is unlawful. */
  set(raw: unknown): PolicyInForce {
    const result = validate(raw);
    if (!result.ok || !result.policyFile) {
      const lines = result.violations.map((v) => `${v.rule} ${v.path}: ${v.message.en}`);
      throw fail(PolicyErrors.INVALID, `the policy file is refused:\n${lines.join('\n')}`, {
        violations: result.violations.map((v) => ({ rule: v.rule, path: v.path })),
      });
    }
    this.#current = { file: result.policyFile, context: decisionContext(result.policyFile) };
    for (const l of this.#listeners) l(this.#current);
    return this.#current;
  }

  clear(): void {
    this.#current = undefined;
    for (const l of this.#listeners) l(undefined);
  }

  loadFile(path: string): PolicyInForce {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw fail(PolicyErrors.INVALID, `cannot read the policy file ${path}`, { path }, e);
    }
    return this.set(parsePolicyText(text, formatOfName(path)));
  }

  onChange(fn: (p: PolicyInForce | undefined) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
