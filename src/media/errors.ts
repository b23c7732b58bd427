import { defineErrors } from '../errors.ts';

/** Media errors (parsers, codecs, WAV, pipeline). */
export const MediaErrors = defineErrors({
  RTP_TOO_SHORT: {
    code: 'ECOUTE_MEDIA_RTP_TOO_SHORT',
    summary: 'An RTP packet is shorter than its header says.',
  },
  RTP_VERSION: { code: 'ECOUTE_MEDIA_RTP_VERSION', summary: 'An RTP packet does not carry version 2.' },
  RTP_PADDING: { code: 'ECOUTE_MEDIA_RTP_PADDING', summary: 'An RTP packet has an invalid padding count.' },
  TELEPHONE_EVENT: {
    code: 'ECOUTE_MEDIA_TELEPHONE_EVENT',
    summary: 'An RFC 4733 telephone-event payload is malformed.',
  },
  WAV_INVALID: {
    code: 'ECOUTE_MEDIA_WAV_INVALID',
    summary: 'A WAV file is malformed or uses an unsupported format.',
  },
  BAD_CHANNEL: {
    code: 'ECOUTE_MEDIA_BAD_CHANNEL',
    summary: 'A channel number outside the pipeline was used.',
  },
});
