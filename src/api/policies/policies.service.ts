/**
 * Putting a policy file in force from the API: validate (every rule the engine checks, R-EMP-1 staff
 * consultation among them), store each changed policy as a new version in db.policies (versions are never
 * edited: the decision of each recording names one), record the staff consultation, then hand the file to
 * the PolicySource the recorder reads. The whole file is kept in the settings (`policies.file`) so the
 * next start can load what the DPO activated.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.ts';
import type { Database } from '../../db/schema.ts';
import { policiesRepo } from '../../db/policies.repo.ts';
import { settingsRepo } from '../../db/settings.repo.ts';
import { fail } from '../../errors.ts';
import type { PolicySource } from '../../capture/policy.source.ts';
import { parsePolicyText } from '../../policy/parse.ts';
import type { PolicyFile } from '../../policy/policy.types.ts';
import { validate, assertValidPolicyFile, type Violation } from '../../policy/validate.ts';
import { formatViolations, summarise } from '../../cli/commands/policy.command.ts';
import { PolicyApiErrors } from './errors.ts';
import { assertDpia } from '../../documents/dpia.ts';

export const POLICY_FILE_SETTING = 'policies.file';

export interface PolicyText {
  readonly text: string;
  readonly format?: 'yaml' | 'json';
}

export interface CheckResult {
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /** The lines `ecoute policy check` prints, in French and in English. */
  readonly lines: { readonly fr: readonly string[]; readonly en: readonly string[] };
}

export function parseText(t: PolicyText): unknown {
  const format = t.format ?? (t.text.trimStart().startsWith('{') ? 'json' : 'yaml');
  return parsePolicyText(t.text, format);
}

export function check(raw: unknown): CheckResult {
  const r = validate(raw);
  const lines = (lang: 'fr' | 'en'): string[] =>
    r.ok && r.policyFile
      ? summarise(r.policyFile, lang)
      : [...formatViolations(r.violations, lang), `${r.violations.length} violation(s)`];
  return { ok: r.ok, violations: r.violations, lines: { fr: lines('fr'), en: lines('en') } };
}

export interface PolicyStoreDeps {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly clock: Clock;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Stores the file's changed policies as new versions, activates them and retires the ones left out. */
export async function activateFile(
  deps: PolicyStoreDeps,
  source: PolicySource,
  raw: unknown,
  by: string,
): Promise<{ file: PolicyFile; activated: string[]; retired: string[] }> {
  const file = assertValidPolicyFile(raw); // R-EMP-1, R-PUR-*, R-RET-*: refused whole with every violation
  const ctx = { k: deps.db, dialect: deps.dialect, clock: deps.clock };
  const repo = policiesRepo(ctx);
  const active = new Map((await repo.active()).map((p) => [p.id, p]));
  const changed = [];
  for (const p of file.policies) {
    const cur = active.get(p.id);
    if (cur && cur.version === p.version && same(cur.content, p)) continue;
    const last = (await repo.versions(p.id)).at(-1)?.version ?? 0;
    if (p.version !== last + 1)
      throw fail(PolicyApiErrors.VERSION, `policy ${p.id} must carry version ${last + 1}`, {
        policyId: p.id,
        expected: last + 1,
      });
    assertDpia(p); // R-DOC-2: a policy the pre-check flags needs its DPIA reference before activation
    changed.push(p);
  }
  const activated: string[] = [];
  for (const p of changed) {
    const v = await repo.createVersion(p.id, p, by);
    await repo.activate(p.id, v.version, by);
    activated.push(`${p.id}@${v.version}`);
  }
  const kept = new Set(file.policies.map((p) => p.id));
  const retired = [...active.keys()].filter((id) => !kept.has(id));
  for (const id of retired) await repo.retire(id);
  const settings = settingsRepo(ctx);
  const sc = file.organisation.staffConsultation;
  const last = await settings.latestConsultation();
  if (sc && 'reference' in sc && (last?.heldOn !== sc.date || last.reference !== sc.reference))
    await settings.recordConsultation({
      kind: 'cse_minutes',
      heldOn: sc.date,
      reference: sc.reference,
      recordedBy: by,
    });
  if (sc && 'none' in sc && last?.kind !== 'no_cse_declaration')
    await settings.recordConsultation({
      kind: 'no_cse_declaration',
      heldOn: new Date(deps.clock.now()).toISOString().slice(0, 10),
      reference: undefined,
      recordedBy: by,
    });
  await settings.set(POLICY_FILE_SETTING, file);
  source.set(file);
  return { file, activated, retired };
}

/** Retires one policy: the file in force without it (still validated), and its stored version retired. */
export async function retirePolicy(
  deps: PolicyStoreDeps,
  source: PolicySource,
  id: string,
): Promise<PolicyFile | undefined> {
  const cur = source.current()?.file;
  if (!cur?.policies.some((p) => p.id === id))
    throw fail(PolicyApiErrors.UNKNOWN, undefined, { policyId: id });
  const ctx = { k: deps.db, dialect: deps.dialect, clock: deps.clock };
  await policiesRepo(ctx).retire(id);
  const next = { ...cur, policies: cur.policies.filter((p) => p.id !== id) };
  const settings = settingsRepo(ctx);
  if (next.policies.length === 0) {
    source.clear(); // nothing in force: nothing is recorded
    await settings.set(POLICY_FILE_SETTING, null);
    return undefined;
  }
  const inForce = source.set(next);
  await settings.set(POLICY_FILE_SETTING, inForce.file);
  return inForce.file;
}
