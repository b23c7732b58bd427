import { defineErrors } from '../errors.ts';

export const AuditErrors = defineErrors({
  CHAIN_BROKEN: {
    code: 'ECOUTE_AUDIT_CHAIN_BROKEN',
    summary: 'The access log hash chain is broken: an entry was altered, removed or inserted.',
    rule: 'R-SEC-2',
  },
  CHECKPOINT_INVALID: {
    code: 'ECOUTE_AUDIT_CHECKPOINT_INVALID',
    summary: 'A signed checkpoint of the access log does not verify with the checkpoint key.',
    rule: 'R-SEC-2',
  },
  KEY_MISSING: {
    code: 'ECOUTE_AUDIT_KEY_MISSING',
    summary: 'The access log checkpoint key is missing or shorter than 32 bytes.',
  },
});
