import { defineErrors } from '../../errors.ts';

export const ForkErrors = defineErrors({
  UNAUTHORIZED: {
    code: 'ECOUTE_FORK_UNAUTHORIZED',
    summary:
      'The upgrade has no valid HTTP Basic credentials (listen wsAuth), or none are configured; refused with 401.',
  },
  SUBPROTOCOL: {
    code: 'ECOUTE_FORK_SUBPROTOCOL',
    summary: 'The client did not ask for subprotocol audio.jambonz.org or audio.drachtio.org (close 1002).',
  },
  MALFORMED: {
    code: 'ECOUTE_FORK_MALFORMED',
    summary:
      'A text frame is not valid JSON, or the metadata frame lacks sampleRate or mixType (close 1007).',
  },
  FORMAT: {
    code: 'ECOUTE_FORK_FORMAT',
    summary:
      'The metadata announces a sample rate other than 8000/16000 or a mixType other than mono/mixed/stereo (close 1003).',
  },
  NOT_STARTED: {
    code: 'ECOUTE_FORK_NOT_STARTED',
    summary: 'A binary audio frame came before the metadata text frame (close 1002).',
  },
  FRAME_SIZE: {
    code: 'ECOUTE_FORK_FRAME_SIZE',
    summary:
      'A binary frame does not hold whole 16-bit samples for every channel (close 1003); captured audio is kept.',
  },
  UNKNOWN_EVENT: {
    code: 'ECOUTE_FORK_UNKNOWN_EVENT',
    summary: 'A text frame after the metadata is not a known event (dtmf) (close 1003).',
  },
});
