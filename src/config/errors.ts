import { defineErrors } from '../errors.ts';

export const ConfigErrors = defineErrors({
  INVALID_FIELD: {
    code: 'ECOUTE_CONFIG_INVALID_FIELD',
    summary: 'A configuration field has a value of the wrong kind.',
  },
  UNKNOWN_FIELD: {
    code: 'ECOUTE_CONFIG_UNKNOWN_FIELD',
    summary: 'The configuration file names a field Ecoute does not know.',
  },
  FILE_UNREADABLE: {
    code: 'ECOUTE_CONFIG_FILE_UNREADABLE',
    summary: 'The configuration file cannot be read or parsed.',
  },
});
