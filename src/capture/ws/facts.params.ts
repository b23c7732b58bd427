/**
 * Call facts carried as string parameters by WebSocket protocols (Twilio `customParameters`, AudioHook
 * `customConfig`/`inputVariables`, jambonz/mod_audio_fork metadata). One vocabulary for all, documented in
 * docs/ingest.md. Pure: parameters in, `CallFactsInput` or a typed error out.
 */
import { fail, type EcouteError } from '../../errors.ts';
import { DIRECTIONS, type Direction } from '../../policy/call-facts.ts';
import { CaptureErrors } from '../errors.ts';
import type { CallFactsInput } from '../capture.port.ts';

export const FACT_PARAMETERS = [
  'direction',
  'agent',
  'extension',
  'queue',
  'customerNumber',
  'noticePlayed',
  'noticeVersion',
  'noticeEndedAt',
  'objection',
  'personal',
  'protected',
  'trigger',
] as const;

export interface FactDefaults {
  readonly startedAt: number;
  readonly direction?: Direction | undefined;
  readonly customerNumber?: string | undefined;
}

const TRIGGERS = ['agent_incident_button', 'contract_conclusion'] as const;

export function factsFromParameters(
  raw: Readonly<Record<string, unknown>>,
  defaults: FactDefaults,
): { ok: true; facts: CallFactsInput } | { ok: false; error: EcouteError } {
  const bad = (name: string, expected: string) => ({
    ok: false as const,
    error: fail(CaptureErrors.PARAMETER_INVALID, `parameter ${name}: expected ${expected}`, {
      parameter: name,
    }),
  });
  const text = (name: string): string | undefined => {
    const v = raw[name];
    if (v === undefined || v === null || v === '') return undefined;
    return typeof v === 'string'
      ? v.trim()
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : '\u0000';
  };
  const flags: Record<string, boolean> = {};
  for (const name of ['noticePlayed', 'objection', 'personal', 'protected']) {
    const v = text(name)?.toLowerCase();
    if (v !== undefined && !['true', 'false', '1', '0', 'yes', 'no'].includes(v))
      return bad(name, 'true or false');
    flags[name] = v === 'true' || v === '1' || v === 'yes';
  }
  const direction = text('direction') ?? defaults.direction ?? 'inbound';
  if (!(DIRECTIONS as readonly string[]).includes(direction)) return bad('direction', 'inbound or outbound');
  const versionText = text('noticeVersion');
  const noticeVersion = versionText === undefined ? undefined : Number(versionText);
  if (noticeVersion !== undefined && !(Number.isInteger(noticeVersion) && noticeVersion > 0))
    return bad('noticeVersion', 'a positive integer');
  const endedText = text('noticeEndedAt');
  const noticeEndedAt = endedText === undefined ? undefined : parseInstant(endedText);
  if (Number.isNaN(noticeEndedAt)) return bad('noticeEndedAt', 'an ISO-8601 instant or epoch milliseconds');
  const trigger = text('trigger');
  if (trigger !== undefined && !(TRIGGERS as readonly string[]).includes(trigger))
    return bad('trigger', TRIGGERS.join(' or '));
  for (const name of ['agent', 'extension', 'queue', 'customerNumber']) {
    if (text(name) === '\u0000') return bad(name, 'a string');
  }
  return {
    ok: true,
    facts: {
      startedAt: defaults.startedAt,
      direction: direction as Direction,
      queue: text('queue'),
      agentExternalId: text('agent'),
      agentExtension: text('extension'),
      customerNumber: text('customerNumber') ?? defaults.customerNumber,
      // R-CAL-1: a notice end time implies the notice was played; an explicit flag may say so too.
      noticePlayed: flags.noticePlayed === true || noticeEndedAt !== undefined,
      noticeVersion,
      noticeEndedAt,
      objectionSignalled: flags.objection === true,
      personalCall: flags.personal === true,
      protectedLine: flags.protected === true,
      trigger: trigger as CallFactsInput['trigger'],
    },
  };
}

/** ISO-8601 or epoch milliseconds; NaN when neither. */
export function parseInstant(text: string): number {
  if (/^\d{10,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return NaN;
  return Date.parse(text);
}
