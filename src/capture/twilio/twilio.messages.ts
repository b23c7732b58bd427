/**
 * Twilio Media Streams messages (PROTOCOLS.md B.3): JSON text frames whose `sequenceNumber`, `chunk` and
 * `timestamp` are strings. Pure: text in, a typed message or a typed error out.
 */
import { fail, type EcouteError } from '../../errors.ts';
import { TwilioErrors } from './errors.ts';

export type TwilioMessage =
  | { readonly event: 'connected' }
  | {
      readonly event: 'start';
      readonly seq: number;
      readonly streamSid: string;
      readonly callSid: string;
      readonly accountSid: string;
      readonly tracks: readonly string[];
      readonly customParameters: Readonly<Record<string, string>>;
      readonly mediaFormat: {
        readonly encoding: string;
        readonly sampleRate: number;
        readonly channels: number;
      };
    }
  | {
      readonly event: 'media';
      readonly seq: number;
      readonly track: 'inbound' | 'outbound';
      readonly chunk: number;
      /** ms from the start of the stream. */
      readonly timestampMs: number;
      /** Raw µ-law bytes. */
      readonly payload: Uint8Array;
    }
  | { readonly event: 'dtmf'; readonly seq: number; readonly digit: string }
  | { readonly event: 'mark'; readonly seq: number; readonly name: string }
  | { readonly event: 'stop'; readonly seq: number };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: EcouteError };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DIGITS = /^[0-9A-D*#]$/;

class Bad extends Error {}

function field(o: Obj, name: string, path: string): Obj {
  const v = o[name];
  if (!isObj(v)) throw new Bad(`${path}${name} is missing or not an object`);
  return v;
}

function str(o: Obj, name: string, path = ''): string {
  const v = o[name];
  if (typeof v !== 'string' || v === '') throw new Bad(`${path}${name} is missing or not a string`);
  return v;
}

/** Twilio's counters are decimal strings; numbers are accepted too. */
function count(o: Obj, name: string, path = ''): number {
  const v = o[name];
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new Bad(`${path}${name} is not a non-negative integer`);
  return n;
}

export function parseTwilioMessage(text: string): Parsed<TwilioMessage> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: fail(TwilioErrors.MALFORMED, 'frame is not valid JSON') };
  }
  if (!isObj(json) || typeof json.event !== 'string')
    return { ok: false, error: fail(TwilioErrors.MALFORMED, 'frame has no event') };
  try {
    return { ok: true, value: parseEvent(json, json.event) };
  } catch (e) {
    if (e instanceof Bad)
      return { ok: false, error: fail(TwilioErrors.MALFORMED, `${json.event}: ${e.message}`) };
    if (e instanceof UnknownEvent)
      return {
        ok: false,
        error: fail(TwilioErrors.UNKNOWN_EVENT, `unknown event ${e.message.slice(0, 40)}`),
      };
    throw e;
  }
}

class UnknownEvent extends Error {}

function parseEvent(o: Obj, event: string): TwilioMessage {
  switch (event) {
    case 'connected':
      return { event };
    case 'start': {
      const s = field(o, 'start', '');
      const tracks = s.tracks;
      if (!Array.isArray(tracks) || !tracks.every((t) => typeof t === 'string'))
        throw new Bad('start.tracks is not a list of strings');
      const params = s.customParameters ?? {};
      if (!isObj(params) || !Object.values(params).every((v) => typeof v === 'string'))
        throw new Bad('start.customParameters is not an object of strings');
      const mf = field(s, 'mediaFormat', 'start.');
      return {
        event,
        seq: count(o, 'sequenceNumber'),
        streamSid: str(s, 'streamSid', 'start.'),
        callSid: str(s, 'callSid', 'start.'),
        accountSid: str(s, 'accountSid', 'start.'),
        tracks,
        customParameters: params as Record<string, string>,
        mediaFormat: {
          encoding: str(mf, 'encoding', 'start.mediaFormat.'),
          sampleRate: count(mf, 'sampleRate', 'start.mediaFormat.'),
          channels: count(mf, 'channels', 'start.mediaFormat.'),
        },
      };
    }
    case 'media': {
      const m = field(o, 'media', '');
      const track = m.track ?? 'inbound';
      if (track !== 'inbound' && track !== 'outbound')
        throw new Bad('media.track is not inbound or outbound');
      const payload = str(m, 'payload', 'media.');
      if (payload.length % 4 !== 0 || !BASE64.test(payload)) throw new Bad('media.payload is not base64');
      return {
        event,
        seq: count(o, 'sequenceNumber'),
        track,
        chunk: count(m, 'chunk', 'media.'),
        timestampMs: count(m, 'timestamp', 'media.'),
        payload: Buffer.from(payload, 'base64'),
      };
    }
    case 'dtmf': {
      const digit = str(field(o, 'dtmf', ''), 'digit', 'dtmf.');
      if (!DIGITS.test(digit)) throw new Bad('dtmf.digit is not one DTMF key');
      return { event, seq: count(o, 'sequenceNumber'), digit };
    }
    case 'mark':
      return { event, seq: count(o, 'sequenceNumber'), name: str(field(o, 'mark', ''), 'name', 'mark.') };
    case 'stop':
      return { event, seq: count(o, 'sequenceNumber') };
    default:
      throw new UnknownEvent(event);
  }
}
