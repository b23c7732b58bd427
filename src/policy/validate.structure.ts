/**
 * Structural validation against the published JSON Schema (ajv, draft 2020-12), with each schema error
 * turned into a bilingual violation carrying the rule its field serves.
 */
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { RuleId } from '../errors.ts';
import { policySchema } from './policy.schema.ts';
import { unknownPurposeViolation } from './validate.purposes.ts';
import { at, pointerToPath, violation, type Violation } from './violation.ts';

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, strict: true });
const compiled = ajv.compile(policySchema);

/** Which rule a field serves (first match wins); fields that serve no single rule fall back to R-DOC-1. */
const RULE_OF_PATH: readonly (readonly [RegExp, RuleId])[] = [
  [/^policies\[\d+\]\.(purposes|legalBasis)/, 'R-PUR-1'],
  [/^policies\[\d+\]\.(legalReference|attestation)/, 'R-PUR-2'],
  [/^policies\[\d+\]\.(sampling|samplingJustification|liveListening)/, 'R-PUR-3'],
  [/^policies\[\d+\]\.campaign/, 'R-PUR-5'],
  [/^policies\[\d+\]\.trigger/, 'R-PUR-6'],
  [/^policies\[\d+\]\.contractProof/, 'R-PUR-7'],
  [/^policies\[\d+\]\.(necessity|alternativesConsidered)/, 'R-PUR-8'],
  [/^policies\[\d+\]\.(screenVideo|screenshots)/, 'R-SCR-1'],
  [/^policies\[\d+\]\.cameraRecording/, 'R-SCR-2'],
  [/^policies\[\d+\]\.retention\.analysisDays/, 'R-RET-2'],
  [/^policies\[\d+\]\.retention/, 'R-RET-1'],
  [/^policies\[\d+\]\.reviewWindowDays/, 'R-RET-5'],
  [/^policies\[\d+\]\.downloadRoles/, 'R-SEC-5'],
  [/^policies\[\d+\]\.agentsMayListenToOwn/, 'R-EMP-7'],
  [/^policies\[\d+\]\.dpiaReference/, 'R-DOC-2'],
  [/^policies\[\d+\]\.legitimateInterest/, 'R-CAL-3'],
  [/^organisation\.staffConsultation/, 'R-EMP-1'],
  [/^organisation\.(maxCampaignDays|timeZone)/, 'R-PUR-5'],
  [/^organisation/, 'R-CAL-3'],
  [/^notices\.employee/, 'R-EMP-2'],
  [/^notices\.caller\.fullNoticeUrl/, 'R-CAL-3'],
  [/^notices/, 'R-CAL-1'],
];

export function ruleOfPath(path: string): RuleId {
  return RULE_OF_PATH.find(([re]) => re.test(path))?.[1] ?? 'R-DOC-1';
}

function describe(e: ErrorObject): { path: string; fr: string; en: string } {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const list = (x: unknown): string => (Array.isArray(x) ? x.map(String).join(', ') : String(x));
  switch (e.keyword) {
    case 'required':
      return {
        path: at(path, String(p.missingProperty)),
        fr: 'champ obligatoire manquant',
        en: 'required field is missing',
      };
    case 'additionalProperties':
      return {
        path: at(path, String(p.additionalProperty)),
        fr: 'champ inconnu (faute de frappe ?)',
        en: 'unknown field (a typo?)',
      };
    case 'type':
      return { path, fr: `doit être de type ${String(p.type)}`, en: `must be of type ${String(p.type)}` };
    case 'enum':
      return {
        path,
        fr: `valeur « ${String(e.data)} » non admise ; attendu : ${list(p.allowedValues)}`,
        en: `value "${String(e.data)}" is not allowed; expected: ${list(p.allowedValues)}`,
      };
    case 'const':
      return { path, fr: `doit valoir ${String(p.allowedValue)}`, en: `must be ${String(p.allowedValue)}` };
    case 'minimum':
    case 'maximum':
      return {
        path,
        fr: `doit être ${e.keyword === 'minimum' ? '≥' : '≤'} ${String(p.limit)}`,
        en: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(p.limit)}`,
      };
    case 'minLength':
      return { path, fr: 'ne doit pas être vide', en: 'must not be empty' };
    case 'minItems':
      return {
        path,
        fr: `au moins ${String(p.limit)} élément(s)`,
        en: `at least ${String(p.limit)} item(s)`,
      };
    case 'uniqueItems':
      return { path, fr: 'éléments en double', en: 'duplicate items' };
    case 'pattern':
      return {
        path,
        fr: `format invalide (attendu : ${String(p.pattern)})`,
        en: `invalid format (expected: ${String(p.pattern)})`,
      };
    default:
      return { path, fr: `invalide (${e.message ?? e.keyword})`, en: `invalid (${e.message ?? e.keyword})` };
  }
}

/** Checks the structure and fills the schema's defaults in `data` (a private copy). */
export function checkStructure(data: unknown): Violation[] {
  if (compiled(data)) return [];
  const out: Violation[] = [];
  let consultationReported = false;
  for (const e of compiled.errors ?? []) {
    const d = describe(e);
    if (d.path.startsWith('organisation.staffConsultation')) {
      // oneOf reports one error per branch; the author needs one sentence.
      if (!consultationReported)
        out.push(
          violation(
            'R-EMP-1',
            'organisation.staffConsultation',
            'doit être { date, reference } (procès-verbal du CSE) ou { none: true, reason }',
            'must be { date, reference } (staff representatives’ minutes) or { none: true, reason }',
          ),
        );
      consultationReported = true;
      continue;
    }
    if (e.keyword === 'enum' && /^policies\[\d+\]\.purposes\[\d+\]$/.test(d.path)) {
      out.push(unknownPurposeViolation(d.path, e.data));
      continue;
    }
    out.push(violation(ruleOfPath(d.path), d.path, d.fr, d.en));
  }
  return out;
}
