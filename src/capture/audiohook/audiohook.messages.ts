/**
 * Genesys Cloud AudioHook protocol v2 messages (PROTOCOLS.md B.4). Pure: text in, a typed client message
 * or a typed error out; and the server message builder.
 */
import { fail, type EcouteError } from '../../errors.ts';
import { AudioHookErrors } from './errors.ts';

export const PROBE_ID = '00000000-0000-0000-0000-000000000000';

export type MediaChannel = 'external' | 'internal';
export interface MediaFormat {
  readonly type: 'audio';
  readonly format: 'PCMU' | 'L16';
  readonly channels: readonly MediaChannel[];
  readonly rate: number;
}

export interface OpenParameters {
  readonly organizationId: string;
  readonly conversationId: string;
  readonly participant: { readonly id: string; readonly ani?: string; readonly dnis?: string };
  /** Offers as sent, each either a supported MediaFormat or undefined (unsupported). */
  readonly media: readonly (MediaFormat | undefined)[];
  /** customConfig and inputVariables merged: carry the call-fact parameters of docs/ingest.md. */
  readonly facts: Readonly<Record<string, unknown>>;
}

interface Envelope {
  readonly id: string;
  readonly seq: number;
  readonly serverseq: number;
  /** `position` in ms of audio, as the client counts it. */
  readonly positionMs: number;
}

export type ClientMessage = Envelope &
  (
    | { readonly type: 'open'; readonly parameters: OpenParameters }
    | { readonly type: 'ping' }
    | { readonly type: 'update' }
    | { readonly type: 'paused' }
    | { readonly type: 'resumed'; readonly startMs: number; readonly discardedMs: number }
    | { readonly type: 'discarded'; readonly startMs: number; readonly discardedMs: number }
    | { readonly type: 'error'; readonly code: number; readonly message: string }
    | { readonly type: 'close'; readonly reason: string }
  );

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
class Bad extends Error {}

/** ISO-8601 durations as AudioHook writes them ("PT12.34S", "PT1M2S"); ms, or NaN. */
export function parseDurationMs(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(text);
  if (!m || text === 'PT') return NaN;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** ms → "PT12.34S" (AudioHook's own rendering). */
export function formatDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
}

const int = (v: unknown, name: string): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new Bad(`${name} is not a non-negative integer`);
  return v;
};
const str = (o: Obj, name: string, path = ''): string => {
  const v = o[name];
  if (typeof v !== 'string' || v === '') throw new Bad(`${path}${name} is missing or not a string`);
  return v;
};
const duration = (o: Obj, name: string): number => {
  const ms = parseDurationMs(o[name]);
  if (Number.isNaN(ms)) throw new Bad(`${name} is not an ISO-8601 duration`);
  return ms;
};

function mediaFormat(v: unknown): MediaFormat | undefined {
  if (!isObj(v) || v.type !== 'audio' || (v.format !== 'PCMU' && v.format !== 'L16') || v.rate !== 8000)
    return undefined;
  const ch = v.channels;
  if (!Array.isArray(ch) || ch.length < 1 || ch.length > 2) return undefined;
  if (!ch.every((c) => c === 'external' || c === 'internal') || new Set(ch).size !== ch.length)
    return undefined;
  return { type: 'audio', format: v.format, channels: ch as MediaChannel[], rate: 8000 };
}

function openParameters(p: Obj): OpenParameters {
  const participant = isObj(p.participant) ? p.participant : {};
  if (!Array.isArray(p.media)) throw new Bad('parameters.media is not a list');
  const objectOrEmpty = (v: unknown): Obj => (isObj(v) ? v : {});
  const optional = (o: Obj, k: string) => {
    const v = o[k];
    return typeof v === 'string' ? { [k]: v } : {};
  };
  return {
    organizationId: str(p, 'organizationId', 'parameters.'),
    conversationId: str(p, 'conversationId', 'parameters.'),
    participant: {
      id: typeof participant.id === 'string' ? participant.id : '',
      ...optional(participant, 'ani'),
      ...optional(participant, 'dnis'),
    },
    media: p.media.map(mediaFormat),
    facts: { ...objectOrEmpty(p.customConfig), ...objectOrEmpty(p.inputVariables) },
  };
}

export function parseClientMessage(
  text: string,
): { ok: true; value: ClientMessage } | { ok: false; error: EcouteError } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: fail(AudioHookErrors.MALFORMED, 'frame is not valid JSON') };
  }
  try {
    if (!isObj(json)) throw new Bad('message is not an object');
    if (json.version !== '2') throw new Bad('version is not "2"');
    const env: Envelope = {
      id: str(json, 'id'),
      seq: int(json.seq, 'seq'),
      serverseq: int(json.serverseq ?? 0, 'serverseq'),
      positionMs: json.position === undefined ? 0 : duration(json, 'position'),
    };
    const p = isObj(json.parameters) ? json.parameters : {};
    switch (json.type) {
      case 'open':
        return { ok: true, value: { ...env, type: 'open', parameters: openParameters(p) } };
      case 'ping':
      case 'update':
      case 'paused':
        return { ok: true, value: { ...env, type: json.type } };
      case 'resumed':
      case 'discarded':
        return {
          ok: true,
          value: {
            ...env,
            type: json.type,
            startMs: duration(p, 'start'),
            discardedMs: duration(p, 'discarded'),
          },
        };
      case 'error':
        return {
          ok: true,
          value: {
            ...env,
            type: 'error',
            code: int(p.code, 'parameters.code'),
            message: typeof p.message === 'string' ? p.message : '',
          },
        };
      case 'close':
        return {
          ok: true,
          value: { ...env, type: 'close', reason: typeof p.reason === 'string' ? p.reason : 'end' },
        };
      default: {
        const shown = typeof json.type === 'string' ? json.type.slice(0, 40) : typeof json.type;
        return { ok: false, error: fail(AudioHookErrors.UNKNOWN_TYPE, `unknown message type ${shown}`) };
      }
    }
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: fail(AudioHookErrors.MALFORMED, e.message) };
    throw e;
  }
}

export type ServerType = 'opened' | 'pong' | 'updated' | 'pause' | 'resume' | 'disconnect' | 'closed';

export function serverMessage(
  id: string,
  seq: number,
  clientseq: number,
  type: ServerType,
  parameters: Readonly<Record<string, unknown>> = {},
): string {
  return JSON.stringify({ version: '2', id, type, seq, clientseq, parameters });
}
