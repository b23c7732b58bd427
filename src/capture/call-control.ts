/**
 * What a call-control press does to a call in progress, in one place: the API applies it to a call this
 * node holds, and the cluster's control channel applies it for another node's API (src/cluster), through
 * the same ActiveCall method, so a press behind a load balancer has the same effect wherever it lands.
 */
import type { ActiveCall } from './active-call.ts';

/** The access actions that act on a call (src/api/access/roles.ts); `incident` only writes the log. */
export type CallControlAction = 'pause' | 'resume' | 'objection' | 'card_data' | 'personal_call';

/** Who pressed: the agent's own session, or an integration token (CTI, CRM). */
export type PressedBy = 'user' | 'token';

export function applyControl(call: ActiveCall, action: CallControlAction, by: PressedBy): Promise<void> {
  const initiator = by === 'user' ? 'agent' : 'api';
  switch (action) {
    case 'pause': // R-PCI-1: the media gate closes, listeners are disconnected
      call.pause(initiator);
      return Promise.resolve();
    case 'resume': // R-PCI-1
      call.resume();
      return Promise.resolve();
    case 'objection': // R-CAL-2: resolves once the audio is destroyed
      return call.objection(initiator);
    case 'card_data': // R-PCI-3
      return call.cardData();
    case 'personal_call': // R-EMP-4
      return call.personal();
  }
}

/** A call that control may act on (recording or paused), else undefined. */
export function controllable(call: ActiveCall | undefined): ActiveCall | undefined {
  return call && (call.state === 'recording' || call.state === 'paused') ? call : undefined;
}
