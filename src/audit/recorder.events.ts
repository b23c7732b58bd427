import type { Logger } from '../log.ts';
import type { CallEventsSink } from '../capture/active-call.ts';
import type { AccessLog } from './access-log.ts';

/** The recorder's compliance events go to the access log (R-SEC-2), written as the system actor. */
export function auditEvents(accessLog: AccessLog, log: Logger): CallEventsSink {
  const append = (action: string, objectId: string, detail: Record<string, unknown>): void => {
    accessLog
      .append({
        actor: 'system',
        role: 'system',
        action,
        objectType: 'recording',
        objectId,
        result: 'allowed',
        detail,
      })
      .catch((e: unknown) => log.error({ err: e }, 'access log append failed'));
  };
  return {
    action: (callId, action, detail) =>
      append(action, typeof detail.recordingId === 'string' ? detail.recordingId : callId, { callId }),
    sealed: () => undefined,
    destroyed: (recordingId, callId, rule) => append('delete', recordingId, { callId, rule }),
    failed: () => undefined,
  };
}
