/**
 * R-DOC-2: the DPIA pre-check (GDPR art. 35, CNIL list 2018-327, EDPB WP248 criteria). A DPIA is
 * required when two criteria or more apply; call recording always meets "vulnerable data subjects"
 * (employees, power imbalance), so evaluation, systematic or live monitoring, or large scale tips it.
 * Pure: policy activation calls `assertDpia` (or `activationBlockers`) before activating.
 */
import { fail } from '../errors.ts';
import type { Policy, PolicyFile } from '../policy/policy.types.ts';
import { DocumentsErrors } from './errors.ts';
import { fullNoticeGaps } from './notices.ts';

export const DPIA_CRITERIA = [
  'employees',
  'evaluation',
  'systematic_monitoring',
  'large_scale',
  'innovative_use',
] as const;
export type DpiaCriterion = (typeof DPIA_CRITERIA)[number];

export interface DpiaCheck {
  readonly required: boolean;
  readonly criteria: readonly DpiaCriterion[];
}

/** Share of calls above which sampling counts as large scale. */
const LARGE_SCALE_RATE = 0.2;

export function dpiaCheck(p: Policy): DpiaCheck {
  const c: DpiaCriterion[] = ['employees'];
  if (p.purposes.includes('evaluation') || p.purposes.includes('quality')) c.push('evaluation');
  if (p.liveListening || p.purposes.includes('legal_obligation')) c.push('systematic_monitoring');
  if (p.purposes.includes('legal_obligation') || p.sampling.rate >= LARGE_SCALE_RATE) c.push('large_scale');
  if (p.screenVideo) c.push('innovative_use');
  return { required: c.length >= 2, criteria: c };
}

export const dpiaRequired = (p: Policy): boolean => dpiaCheck(p).required;

/** R-DOC-2: throws when the policy needs a DPIA and has no reference recorded. */
export function assertDpia(p: Policy): void {
  const check = dpiaCheck(p);
  if (check.required && !p.dpiaReference?.trim())
    throw fail(DocumentsErrors.DPIA_REQUIRED, `policy ${p.id} needs a DPIA reference before activation`, {
      policyId: p.id,
      criteria: check.criteria,
    });
}

/** Everything this area blocks activation on (R-DOC-2, R-CAL-3), as errors; empty when clear. */
export function activationBlockers(file: PolicyFile, policyId: string): Error[] {
  const out: Error[] = [];
  const p = file.policies.find((x) => x.id === policyId);
  if (p) {
    try {
      assertDpia(p);
    } catch (e) {
      out.push(e as Error);
    }
  }
  const gaps = fullNoticeGaps(file);
  if (gaps.length > 0)
    out.push(fail(DocumentsErrors.NOTICE_INCOMPLETE, `the full notice lacks: ${gaps.join(', ')}`, { gaps }));
  return out;
}
