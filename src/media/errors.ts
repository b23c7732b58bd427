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
  OGG_INVALID: {
    code: 'ECOUTE_MEDIA_OGG_INVALID',
    summary:
      'An Ogg page is malformed (capture pattern, version, CRC, lacing) or continues a packet onto the next page.',
  },
  OPUS_FRAMING: {
    code: 'ECOUTE_MEDIA_OPUS_FRAMING',
    summary:
      'An Opus packet uses a framing Ecoute does not store (a TOC code other than 0) or its self-delimited length is wrong.',
  },
  OPUS_CODEC: {
    code: 'ECOUTE_MEDIA_OPUS_CODEC',
    summary: 'The Opus encoder or decoder refused a frame, or an OpusHead is not the one Ecoute writes.',
  },
  OPUS_INDEX: {
    code: 'ECOUTE_MEDIA_OPUS_INDEX',
    summary:
      'The block index or footer after a stored Ogg Opus stream is malformed, or disagrees with the pages.',
  },
  BAD_CHANNEL: {
    code: 'ECOUTE_MEDIA_BAD_CHANNEL',
    summary: 'A channel number outside the pipeline was used.',
  },
});
