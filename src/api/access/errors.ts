import { defineErrors } from '../../errors.ts';

/** Refusals of `requireAccess`, one code per rule so a client (and an auditor) can tell them apart. */
export const AccessErrors = defineErrors({
  DENIED: {
    code: 'ECOUTE_ACCESS_DENIED',
    summary: 'The role is not tied to this action or purpose, or the object lies outside its teams.',
    rule: 'R-MIN-3',
  },
  PURPOSE: {
    code: 'ECOUTE_ACCESS_PURPOSE',
    summary: 'The declared purpose is missing or is not one of the recording\u2019s purposes.',
    rule: 'R-MIN-2',
  },
  NO_SECOND_FACTOR: {
    code: 'ECOUTE_ACCESS_NO_SECOND_FACTOR',
    summary:
      'Hearing audio needs a session that proved a second factor: TOTP, or MFA asserted by the SSO provider.',
    rule: 'R-SEC-1',
  },
  DOWNLOAD_DISABLED: {
    code: 'ECOUTE_ACCESS_DOWNLOAD_DISABLED',
    summary: 'Download is off by default and not enabled for this role by the recording\u2019s policy.',
    rule: 'R-SEC-5',
  },
  LIVE_NOT_ALLOWED: {
    code: 'ECOUTE_ACCESS_LIVE_NOT_ALLOWED',
    summary: 'No active policy allows live listening for this call and purpose.',
    rule: 'R-EMP-6',
  },
  INCIDENT_AGENT_ONLY: {
    code: 'ECOUTE_ACCESS_INCIDENT_AGENT_ONLY',
    summary:
      'Only the agent handling the call may trigger an incident recording (no supervisor, token or automatic trigger).',
    rule: 'R-PUR-6',
  },
});
