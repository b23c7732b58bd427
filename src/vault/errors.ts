import { defineErrors } from '../errors.ts';

/** The vault's error catalogue; every error names the recording (context.recordingId) or the blob key. */
export const VaultErrors = defineErrors({
  INVALID_ID: {
    code: 'ECOUTE_VAULT_INVALID_ID',
    summary: 'A recording id is not 1-128 characters of [A-Za-z0-9_-].',
  },
  MASTER_KEY: {
    code: 'ECOUTE_VAULT_MASTER_KEY',
    summary: 'The master key is missing, malformed, or its key file is unreadable or too permissive.',
    rule: 'R-SEC-4',
  },
  KEY_MISSING: {
    code: 'ECOUTE_VAULT_KEY_MISSING',
    summary: 'The recording has no data key: it was shredded (R-RET-4) or never existed.',
    rule: 'R-RET-4',
  },
  KEY_EXISTS: {
    code: 'ECOUTE_VAULT_KEY_EXISTS',
    summary: 'A data key already exists for this recording; keys are never silently replaced.',
    rule: 'R-SEC-4',
  },
  UNWRAP: {
    code: 'ECOUTE_VAULT_UNWRAP',
    summary: 'The data key cannot be unwrapped: unknown master key, wrong master key or tampered key.',
    rule: 'R-SEC-4',
  },
  WRONG_KEY: {
    code: 'ECOUTE_VAULT_WRONG_KEY',
    summary: "The data key does not match the container's key check: the container belongs to another key.",
    rule: 'R-SEC-4',
  },
  BAD_HEADER: {
    code: 'ECOUTE_VAULT_BAD_HEADER',
    summary: 'Not a vault container (bad magic), an unsupported version, or a header for another recording.',
  },
  CORRUPT_CHUNK: {
    code: 'ECOUTE_VAULT_CORRUPT_CHUNK',
    summary: 'A chunk fails authentication: altered, reordered or swapped from another recording.',
    rule: 'R-SEC-4',
  },
  TRUNCATED: {
    code: 'ECOUTE_VAULT_TRUNCATED',
    summary: 'The container ends before its final chunk: it was truncated.',
    rule: 'R-SEC-4',
  },
  RANGE: {
    code: 'ECOUTE_VAULT_RANGE',
    summary: 'A byte range lies outside the recording or blob.',
  },
  BLOB_MISSING: {
    code: 'ECOUTE_VAULT_BLOB_MISSING',
    summary: "The recording's sealed container is not in the blob store.",
  },
  BLOB_UNAVAILABLE: {
    code: 'ECOUTE_VAULT_BLOB_UNAVAILABLE',
    summary: 'The blob store cannot be reached or refused the request (S3 down, credentials, I/O error).',
  },
  SPOOL_WRITE: {
    code: 'ECOUTE_VAULT_SPOOL_WRITE',
    summary: 'Writing or syncing a spool file failed (full disk, I/O error); the recording stops there.',
  },
  SPOOL_STATE: {
    code: 'ECOUTE_VAULT_SPOOL_STATE',
    summary: 'A spool writer was used after finish, abort or a write failure, or a spool already exists.',
  },
  SPOOL_MISSING: {
    code: 'ECOUTE_VAULT_SPOOL_MISSING',
    summary: 'No spool file exists for this recording.',
  },
  SEAL: {
    code: 'ECOUTE_VAULT_SEAL',
    summary:
      'Re-encoding a spool for storage failed (sealing file, encoder or its sealing process); the spool is kept for recovery.',
  },
  FORMAT: {
    code: 'ECOUTE_VAULT_FORMAT',
    summary: 'A media format string or chunk size is invalid (expected e.g. pcmu/8000/2).',
  },
});
