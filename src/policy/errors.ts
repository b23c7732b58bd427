import { defineErrors } from '../errors.ts';

/** The policy engine's error catalogue (docs/errors.md, section "Policy"). */
export const PolicyErrors = defineErrors({
  INVALID: {
    code: 'ECOUTE_POLICY_INVALID',
    summary: 'The policy file breaks one or more rules; each violation names its rule id and field path.',
  },
  UNREADABLE: {
    code: 'ECOUTE_POLICY_UNREADABLE',
    summary: 'The policy file is not valid YAML or JSON.',
  },
  SYSTEMATIC: {
    code: 'ECOUTE_POLICY_SYSTEMATIC',
    summary:
      'A training, evaluation or quality policy would record or live-listen to every call of its scope.',
    rule: 'R-PUR-3',
  },
  FORBIDDEN_PURPOSE: {
    code: 'ECOUTE_POLICY_FORBIDDEN_PURPOSE',
    summary: 'A policy declares a purpose outside the closed list.',
    rule: 'R-PUR-1',
  },
  STAFF_NOT_CONSULTED: {
    code: 'ECOUTE_POLICY_STAFF_NOT_CONSULTED',
    summary:
      'No policy can be activated before the staff representatives were consulted (or declared absent).',
    rule: 'R-EMP-1',
  },
  BAD_CALL_FACTS: {
    code: 'ECOUTE_POLICY_BAD_CALL_FACTS',
    summary: 'A call-facts document (for `policy explain`) lacks a field or has one of the wrong kind.',
  },
});
