import { defineErrors } from '../../errors.ts';

export const AudioHookErrors = defineErrors({
  UNAUTHORIZED: {
    code: 'ECOUTE_AUDIOHOOK_UNAUTHORIZED',
    summary:
      'X-API-KEY, the HTTP message signature, its age or nonce, or the organization id did not check out; the client gets `disconnect` `unauthorized` after at least 500 ms, never which part failed.',
  },
  MALFORMED: {
    code: 'ECOUTE_AUDIOHOOK_MALFORMED',
    summary:
      'A text frame is not valid JSON or not a valid AudioHook v2 message (wrong version, id, seq, position or parameters).',
  },
  UNKNOWN_TYPE: {
    code: 'ECOUTE_AUDIOHOOK_UNKNOWN_TYPE',
    summary: 'A message type the client may not send or Ecoute does not know.',
  },
  SEQUENCE: {
    code: 'ECOUTE_AUDIOHOOK_SEQUENCE',
    summary:
      'The client seq did not increase by exactly one; the server disconnects with reason error (captured audio kept).',
  },
  STATE: {
    code: 'ECOUTE_AUDIOHOOK_STATE',
    summary:
      'A message that is not allowed at this point of the session (before open, a second open, an id that is not the session id).',
  },
  NO_MEDIA: {
    code: 'ECOUTE_AUDIOHOOK_NO_MEDIA',
    summary:
      'None of the offered media formats is supported (audio PCMU or L16 at 8000 Hz, external and/or internal channels).',
  },
  UNEXPECTED_AUDIO: {
    code: 'ECOUTE_AUDIOHOOK_UNEXPECTED_AUDIO',
    summary:
      'A binary audio frame arrived before `opened` or on a session opened with no media (not recorded, or a probe).',
  },
  FRAME_SIZE: {
    code: 'ECOUTE_AUDIOHOOK_FRAME_SIZE',
    summary: 'A binary audio frame does not hold whole samples for every channel of the chosen format.',
  },
});
