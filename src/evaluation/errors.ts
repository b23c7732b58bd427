import { defineErrors } from '../errors.ts';

/** Evaluation grids and evaluations (docs/errors.md, section "Evaluation"). */
export const EvaluationErrors = defineErrors({
  GRID_INVALID: {
    code: 'ECOUTE_EVALUATION_GRID_INVALID',
    summary: 'A grid template is malformed (no criteria, a bad weight or scale, duplicate ids).',
  },
  GRID_NOT_FOUND: {
    code: 'ECOUTE_EVALUATION_GRID_NOT_FOUND',
    summary: 'The grid template or the requested version does not exist.',
  },
  ANSWERS_INVALID: {
    code: 'ECOUTE_EVALUATION_ANSWERS_INVALID',
    summary: 'The answers do not match the grid version (unknown or missing criterion, value out of scale).',
  },
  PERSONAL_DATA: {
    code: 'ECOUTE_EVALUATION_PERSONAL_DATA',
    summary:
      'A free-text comment contains personal data (phone number, card number, e-mail, IBAN); remove it before saving. Findings give kind and offsets, never the value.',
    rule: 'R-MIN-1',
  },
  RETENTION_TOO_LONG: {
    code: 'ECOUTE_EVALUATION_RETENTION_TOO_LONG',
    summary: 'An analysis document may be kept at most 365 days from its creation.',
    rule: 'R-RET-2',
  },
  PURPOSE: {
    code: 'ECOUTE_EVALUATION_PURPOSE',
    summary:
      "The evaluation's purpose is not one of the recording's purposes, or not one an evaluation serves (evaluation, quality, training).",
    rule: 'R-MIN-2',
  },
  FORBIDDEN: {
    code: 'ECOUTE_EVALUATION_FORBIDDEN',
    summary:
      'The user may not evaluate, calibrate or read this (role not tied to the purpose, or outside their teams).',
    rule: 'R-MIN-3',
  },
  NOT_FOUND: {
    code: 'ECOUTE_EVALUATION_NOT_FOUND',
    summary: 'The evaluation, recording or calibration session does not exist.',
  },
  NOT_EVALUABLE: {
    code: 'ECOUTE_EVALUATION_NOT_EVALUABLE',
    summary: 'The recording is not sealed or has no agent: there is nothing to evaluate.',
  },
  SAMPLE_INVALID: {
    code: 'ECOUTE_EVALUATION_SAMPLE_INVALID',
    summary: "A sampling request is malformed (month not 'YYYY-MM', count out of 1..50).",
  },
});
