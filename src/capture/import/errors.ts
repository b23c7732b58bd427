import { defineErrors } from '../../errors.ts';

export const ImportErrors = defineErrors({
  WAV_INVALID: {
    code: 'ECOUTE_IMPORT_WAV_INVALID',
    summary: 'A file is not a readable WAV (RIFF/WAVE with fmt and data chunks).',
  },
  WAV_UNSUPPORTED: {
    code: 'ECOUTE_IMPORT_WAV_UNSUPPORTED',
    summary:
      'A WAV encoding, channel count or sample rate the import does not read (PCM16, µ-law, A-law; 1–2 channels; 8 or 16 kHz).',
  },
  MAPPING_INVALID: {
    code: 'ECOUTE_IMPORT_MAPPING_INVALID',
    summary:
      'mapping.yaml is missing, unreadable, or does not say which column holds the file name and the call date.',
  },
  FACTS_INVALID: {
    code: 'ECOUTE_IMPORT_FACTS_INVALID',
    summary:
      'The CSV/JSON of call facts cannot be read, or a row has a value of the wrong kind (the message names the row and column).',
  },
  NO_RECORDER: {
    code: 'ECOUTE_IMPORT_NO_RECORDER',
    summary:
      'This build has no recorder to import into (the composition root does not export openCaptureSink).',
  },
});
