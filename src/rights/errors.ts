/** Error catalogue of data-subject requests, the opposition list and exports (docs/errors.md, "Rights"). */
import { defineErrors } from '../errors.ts';

export const RightsErrors = defineErrors({
  NO_IDENTIFIER: {
    code: 'ECOUTE_RIGHTS_NO_IDENTIFIER',
    summary: 'A data-subject request needs at least one identifier: phone number, customer id or agent id.',
    rule: 'R-DSR-1',
  },
  NOT_FOUND: {
    code: 'ECOUTE_RIGHTS_NOT_FOUND',
    summary: 'No data-subject request has this id.',
  },
  CLOSED: {
    code: 'ECOUTE_RIGHTS_CLOSED',
    summary: 'The data-subject request is already closed.',
  },
  WRONG_KIND: {
    code: 'ECOUTE_RIGHTS_WRONG_KIND',
    summary: 'This operation does not apply to this kind of request (e.g. an export for an erasure request).',
  },
  EXTENSION_REFUSED: {
    code: 'ECOUTE_RIGHTS_EXTENSION_REFUSED',
    summary:
      'An extension needs a reason and a notice to the person sent within the first month, and is granted once, for two months at most.',
    rule: 'R-DSR-3',
  },
  REFUSAL_INCOMPLETE: {
    code: 'ECOUTE_RIGHTS_REFUSAL_INCOMPLETE',
    summary: 'A refusal must state its reasons (the right to complain to the CNIL is added by Ecoute).',
    rule: 'R-DSR-3',
  },
  RECTIFICATION_INVALID: {
    code: 'ECOUTE_RIGHTS_RECTIFICATION_INVALID',
    summary:
      'Rectification applies to metadata fields (queue, direction, agent) and analysis documents only.',
    rule: 'R-DSR-4',
  },
  NO_NUMBER_KEY: {
    code: 'ECOUTE_RIGHTS_NO_NUMBER_KEY',
    summary: 'The keyed-hash key for phone numbers is not configured: numbers cannot be matched.',
    rule: 'R-CAL-4',
  },
  ACK_TOKEN_INVALID: {
    code: 'ECOUTE_RIGHTS_ACK_TOKEN_INVALID',
    summary: 'The acknowledgement link is invalid, altered or expired.',
    rule: 'R-EMP-2',
  },
});
