import { defineErrors } from '../../errors.ts';

/** SIP, SDP, multipart and SIPREC metadata errors (parsers and the SIP stack). */
export const SipErrors = defineErrors({
  MALFORMED: {
    code: 'ECOUTE_SIP_MALFORMED',
    summary: 'A SIP message is malformed (start line, header or Content-Length).',
  },
  TOO_LARGE: {
    code: 'ECOUTE_SIP_TOO_LARGE',
    summary: 'A SIP message exceeds the 64 KiB limit.',
  },
  SDP_MALFORMED: {
    code: 'ECOUTE_SIP_SDP_MALFORMED',
    summary: 'An SDP body is malformed or has no usable media line.',
  },
  MULTIPART_MALFORMED: {
    code: 'ECOUTE_SIP_MULTIPART_MALFORMED',
    summary: 'A multipart body has no boundary or no part.',
  },
  METADATA_MALFORMED: {
    code: 'ECOUTE_SIP_METADATA_MALFORMED',
    summary: 'A SIPREC recording metadata document is not well-formed XML or has no recording element.',
  },
  METADATA_FORBIDDEN_DTD: {
    code: 'ECOUTE_SIP_METADATA_FORBIDDEN_DTD',
    summary:
      'A SIPREC metadata document carries a DOCTYPE or ENTITY declaration; refused (no external entity, no entity bomb).',
  },
  NOT_SIPREC: {
    code: 'ECOUTE_SIP_NOT_SIPREC',
    summary: 'An INVITE carries no SDP offer and cannot be recorded.',
  },
  TRUNK_CONFIG_INVALID: {
    code: 'ECOUTE_SIP_TRUNK_CONFIG_INVALID',
    summary: 'The SIPREC trunks file is invalid; the message names the trunk and the field.',
  },
  TRANSPORT_FAILED: {
    code: 'ECOUTE_SIP_TRANSPORT_FAILED',
    summary: 'A SIP socket could not be opened (address in use, TLS certificate missing).',
  },
});
