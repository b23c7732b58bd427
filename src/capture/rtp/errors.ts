import { defineErrors } from '../../errors.ts';

/** RTP receive errors (src/capture/rtp). */
export const RtpErrors = defineErrors({
  NO_PORTS: {
    code: 'ECOUTE_RTP_NO_PORTS',
    summary: 'No free run of consecutive even RTP ports is left in rtp.portMin–rtp.portMax.',
  },
  NO_AUDIO_CODEC: {
    code: 'ECOUTE_RTP_NO_AUDIO_CODEC',
    summary: 'A stream offers no codec the RTP receiver decodes (PCMU or PCMA).',
  },
  DUPLICATE_CALL: {
    code: 'ECOUTE_RTP_DUPLICATE_CALL',
    summary: 'RTP ports are already allocated for this call id.',
  },
  UNKNOWN_CALL: { code: 'ECOUTE_RTP_UNKNOWN_CALL', summary: 'No RTP allocation exists for this call id.' },
  WORKER_FAILED: {
    code: 'ECOUTE_RTP_WORKER_FAILED',
    summary: 'An RTP worker thread failed; its calls have ended.',
  },
  STOPPED: { code: 'ECOUTE_RTP_STOPPED', summary: 'The RTP engine is stopped.' },
});
