import { defineErrors } from '../../errors.ts';

/** Live calls, live listening and call control (src/api/calls/). */
export const CallsErrors = defineErrors({
  NOT_IN_PROGRESS: {
    code: 'ECOUTE_CALLS_NOT_IN_PROGRESS',
    summary: 'No call with this id is being recorded on this node (ended, not recorded, or unknown).',
  },
  UNAVAILABLE: {
    code: 'ECOUTE_CALLS_UNAVAILABLE',
    summary:
      'This node does not capture calls: live listing, listening and call control are served by ingest nodes.',
  },
  INCIDENT_NEEDS_FORK: {
    code: 'ECOUTE_CALLS_INCIDENT_NEEDS_FORK',
    summary:
      'The call is not being recorded: an incident recording starts when the telephony forks the call with the agent_incident_button trigger.',
    rule: 'R-PUR-6',
  },
  UPGRADE_REQUIRED: {
    code: 'ECOUTE_CALLS_UPGRADE_REQUIRED',
    summary: 'Live listening is a WebSocket: send the request with Upgrade: websocket.',
  },
});
