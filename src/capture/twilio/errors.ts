import { defineErrors } from '../../errors.ts';

export const TwilioErrors = defineErrors({
  UNSIGNED: {
    code: 'ECOUTE_TWILIO_UNSIGNED',
    summary:
      'The Media Streams upgrade has no X-Twilio-Signature, or no auth token is configured; refused with 403.',
  },
  SIGNATURE: {
    code: 'ECOUTE_TWILIO_SIGNATURE',
    summary:
      'X-Twilio-Signature does not match the URL signed with the configured auth token; refused with 403.',
  },
  STALE: {
    code: 'ECOUTE_TWILIO_STALE',
    summary:
      'The signed stream URL has no valid `ts` parameter, is too old or too far in the future, or its signature was already used (replay); refused with 403.',
  },
  MALFORMED: {
    code: 'ECOUTE_TWILIO_MALFORMED',
    summary: 'A Media Streams frame is not valid JSON or lacks a required field (close 1007).',
  },
  UNKNOWN_EVENT: {
    code: 'ECOUTE_TWILIO_UNKNOWN_EVENT',
    summary: 'A Media Streams frame names an event Ecoute does not know (close 1003).',
  },
  BINARY_FRAME: {
    code: 'ECOUTE_TWILIO_BINARY_FRAME',
    summary: 'Twilio sends only JSON text frames; a binary frame was received (close 1003).',
  },
  NOT_STARTED: {
    code: 'ECOUTE_TWILIO_NOT_STARTED',
    summary: 'A media, dtmf, mark or stop frame came before `start`, or a second `start` came (close 1002).',
  },
  SEQUENCE: {
    code: 'ECOUTE_TWILIO_SEQUENCE',
    summary: 'sequenceNumber did not increase by exactly one (close 1002); what was captured is kept.',
  },
  MEDIA_FORMAT: {
    code: 'ECOUTE_TWILIO_MEDIA_FORMAT',
    summary: 'The stream announces a media format other than audio/x-mulaw at 8000 Hz mono (close 1003).',
  },
});
