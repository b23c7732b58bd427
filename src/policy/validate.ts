/**
 * `validate(file)`: every rule of sections A, B, C (R-EMP-1), D (R-CAL-1, R-CAL-3), F (R-RET-1..3, 5) and
 * J that a policy file lets us check statically. Structure first (the published JSON Schema), then the
 * rules on every part whose structure is sound, so an author sees all refusals at once.
 */
import { fail } from '../errors.ts';
import { PolicyErrors } from './errors.ts';
import { profileOf } from './jurisdictions.ts';
import {
  JURISDICTIONS,
  type Jurisdiction,
  type Organisation,
  type Policy,
  type PolicyFile,
} from './policy.types.ts';
import { checkCallerNotice, checkOrganisation, checkPolicyNotice } from './validate.organisation.ts';
import { checkPurposes } from './validate.purposes.ts';
import { checkRetention } from './validate.retention.ts';
import { checkScreen } from './validate.screen.ts';
import { checkStructure } from './validate.structure.ts';
import { violation, type Violation } from './violation.ts';

export type { Violation } from './violation.ts';

export interface ValidationResult {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** The file with defaults filled in, deeply frozen; present only when ok. */
  readonly policyFile?: PolicyFile;
}

const DEFAULT_ORG: Organisation = {
  controller: { name: '', address: '', contact: '' },
  dpo: { name: '', contact: '' },
  maxCampaignDays: 31,
  timeZone: 'Europe/Paris',
};

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

export function validate(file: unknown): ValidationResult {
  if (!isObject(file))
    return {
      ok: false,
      violations: [
        violation(
          'R-DOC-1',
          '',
          'le fichier de politiques doit être un objet',
          'the policy file must be an object',
        ),
      ],
    };
  const data = structuredClone(file);
  const structural = checkStructure(data);
  const bad = (prefix: string): boolean =>
    structural.some(
      (v) => v.path === prefix || v.path.startsWith(`${prefix}.`) || v.path.startsWith(`${prefix}[`),
    );

  const jurisdiction: Jurisdiction = JURISDICTIONS.find((j) => j === data.jurisdiction) ?? 'FR';
  const profile = profileOf(jurisdiction);
  const orgSound = isObject(data.organisation) && !bad('organisation');
  const org =
    isObject(data.organisation) && !bad('organisation.timeZone') && !bad('organisation.maxCampaignDays')
      ? (data.organisation as unknown as Organisation)
      : DEFAULT_ORG;
  const policies = Array.isArray(data.policies) ? (data.policies as unknown[]) : [];
  const sound = policies.flatMap((p, i) => (bad(`policies[${i}]`) ? [] : [{ p: p as Policy, i }]));

  const rules: Violation[] = [];
  if (isObject(data.organisation) && !bad('organisation.staffConsultation') && !bad('organisation.timeZone'))
    rules.push(...checkOrganisation(org, profile));
  if (orgSound && isObject(data.notices) && !bad('notices'))
    rules.push(...checkCallerNotice(data as unknown as PolicyFile, profile));
  const seen = new Map<string, number>();
  for (const { p, i } of sound) {
    const base = `policies[${i}]`;
    rules.push(
      ...checkPurposes(p, base, org, profile),
      ...checkScreen(p, base),
      ...checkRetention(p, base, profile),
      ...checkPolicyNotice(p, base),
    );
    const first = seen.get(p.id);
    if (first !== undefined)
      rules.push(
        violation(
          'R-DOC-1',
          `${base}.id`,
          `identifiant « ${p.id} » déjà utilisé par policies[${first}]`,
          `id "${p.id}" is already used by policies[${first}]`,
        ),
      );
    else seen.set(p.id, i);
  }
  const violations = [...structural, ...rules];
  if (violations.length > 0) return { ok: false, violations };
  return { ok: true, violations: [], policyFile: deepFreeze(data as unknown as PolicyFile) };
}

/** For callers that must not go on with an invalid file (activation, API): throws the most specific error. */
export function assertValidPolicyFile(file: unknown): PolicyFile {
  const r = validate(file);
  if (r.ok && r.policyFile) return r.policyFile;
  const first = r.violations[0];
  const spec =
    first?.rule === 'R-PUR-3'
      ? PolicyErrors.SYSTEMATIC
      : first?.rule === 'R-PUR-1'
        ? PolicyErrors.FORBIDDEN_PURPOSE
        : first?.rule === 'R-EMP-1'
          ? PolicyErrors.STAFF_NOT_CONSULTED
          : PolicyErrors.INVALID;
  throw fail(
    spec,
    `${r.violations.length} violation(s): ${r.violations.map((v) => `${v.rule} ${v.path}`).join('; ')}`,
    { violations: r.violations },
  );
}
