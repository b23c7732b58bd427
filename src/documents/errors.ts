/** Error catalogue of the generated documents and their activation checks (docs/errors.md, "Documents"). */
import { defineErrors } from '../errors.ts';

export const DocumentsErrors = defineErrors({
  DPIA_REQUIRED: {
    code: 'ECOUTE_DOCUMENTS_DPIA_REQUIRED',
    summary:
      'The DPIA pre-check says a DPIA is required: the policy cannot be activated until its reference is recorded.',
    rule: 'R-DOC-2',
  },
  NOTICE_INCOMPLETE: {
    code: 'ECOUTE_DOCUMENTS_NOTICE_INCOMPLETE',
    summary: 'The full notice (second level) lacks a GDPR art. 13 item: the policy cannot be activated.',
    rule: 'R-CAL-3',
  },
  UNKNOWN_DOCUMENT: {
    code: 'ECOUTE_DOCUMENTS_UNKNOWN',
    summary: 'No generated document has this name, or the language is not fr or en.',
  },
});
