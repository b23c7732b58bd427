import { defineErrors } from '../errors.ts';

/** The metadata store's error catalogue (docs/errors.md, section "Metadata store"). */
export const DbErrors = defineErrors({
  UNREACHABLE: {
    code: 'ECOUTE_DB_UNREACHABLE',
    summary: 'The database cannot be opened or reached.',
  },
  MIGRATION_FAILED: {
    code: 'ECOUTE_DB_MIGRATION_FAILED',
    summary: 'A schema migration failed; the database is left at the last good version.',
  },
  NOT_FOUND: {
    code: 'ECOUTE_DB_NOT_FOUND',
    summary: 'The requested row does not exist.',
  },
  CONFLICT: {
    code: 'ECOUTE_DB_CONFLICT',
    summary: 'The row already exists or was changed concurrently.',
  },
  WRITE_ONCE: {
    code: 'ECOUTE_DB_WRITE_ONCE',
    summary: 'A write-once recording cannot be altered or shredded before it expires.',
    rule: 'R-RET-3',
  },
  POLICY_IMMUTABLE: {
    code: 'ECOUTE_DB_POLICY_IMMUTABLE',
    summary: 'A policy version is never edited in place; a change is a new version.',
  },
  NUMBER_KEY_INVALID: {
    code: 'ECOUTE_DB_NUMBER_KEY_INVALID',
    summary: 'The key for hashing or encrypting phone numbers is missing or has the wrong length.',
    rule: 'R-CAL-4',
  },
  NUMBER_UNREADABLE: {
    code: 'ECOUTE_DB_NUMBER_UNREADABLE',
    summary: 'An encrypted phone number cannot be decrypted (wrong key or altered value).',
  },
});

/** The agent directory's import errors. */
export const AgentsErrors = defineErrors({
  CSV_INVALID: {
    code: 'ECOUTE_AGENTS_CSV_INVALID',
    summary: 'The agents CSV file is malformed; the message names the line and the column.',
  },
  UNKNOWN_AGENT: {
    code: 'ECOUTE_AGENTS_UNKNOWN_AGENT',
    summary: 'No agent with this id exists in the directory.',
    rule: 'R-EMP-2',
  },
});
