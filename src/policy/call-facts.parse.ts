/**
 * A call-facts document (JSON, for `ecoute policy explain` and fixtures) to `CallFacts`. Times may be
 * ms since epoch or ISO strings; flags default to false. Pure: value in, typed value or typed error out.
 */
import { fail } from '../errors.ts';
import { DIRECTIONS, type CallFacts } from './call-facts.ts';
import { PolicyErrors } from './errors.ts';

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

function bad(field: string, expected: string): never {
  throw fail(PolicyErrors.BAD_CALL_FACTS, `call facts: field "${field}" must be ${expected}`, {
    field,
    expected,
  });
}

export function parseCallFacts(x: unknown): CallFacts {
  if (!isObject(x)) bad('(root)', 'an object');
  const time = (k: string, required: boolean): number | undefined => {
    const v = x[k];
    if (v === undefined || v === null) return required ? bad(k, 'a time (ms or ISO 8601)') : undefined;
    const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    return Number.isFinite(t) ? t : bad(k, 'a time (ms or ISO 8601)');
  };
  const str = (k: string): string | undefined => {
    const v = x[k];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : bad(k, 'a string');
  };
  const flag = (k: string): boolean => {
    const v = x[k] ?? false;
    return typeof v === 'boolean' ? v : bad(k, 'true or false');
  };
  const int = (k: string): number | undefined => {
    const v = x[k];
    if (v === undefined || v === null) return undefined;
    return Number.isInteger(v) ? (v as number) : bad(k, 'an integer');
  };
  const direction = x.direction;
  if (!DIRECTIONS.includes(direction as never)) bad('direction', DIRECTIONS.join(' or '));
  const counts = x.recordedTodayForAgent ?? {};
  if (!isObject(counts) || !Object.values(counts).every((n) => Number.isInteger(n)))
    bad('recordedTodayForAgent', 'an object of integers');
  const trigger = str('trigger');
  if (trigger !== undefined && trigger !== 'agent_incident_button' && trigger !== 'contract_conclusion')
    bad('trigger', 'agent_incident_button or contract_conclusion');
  const source = str('triggerSource');
  if (source !== undefined && source !== 'agent' && source !== 'supervisor' && source !== 'automatic')
    bad('triggerSource', 'agent, supervisor or automatic');
  return {
    callId: str('callId') ?? bad('callId', 'a string'),
    startedAt: time('startedAt', true) as number,
    direction: direction as CallFacts['direction'],
    queue: str('queue'),
    agentId: str('agentId'),
    team: str('team'),
    noticePlayed: flag('noticePlayed'),
    noticeVersion: int('noticeVersion'),
    noticeEndedAt: time('noticeEndedAt', false),
    objectionSignalled: flag('objectionSignalled'),
    onOppositionList: flag('onOppositionList'),
    personalCall: flag('personalCall'),
    protectedLine: flag('protectedLine'),
    agentAcknowledgedNoticeVersion: int('agentAcknowledgedNoticeVersion'),
    recordedTodayForAgent: counts as Record<string, number>,
    trigger,
    triggerSource: source,
    triggeredAt: time('triggeredAt', false),
  };
}
