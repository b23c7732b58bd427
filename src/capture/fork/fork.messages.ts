/**
 * jambonz `listen` / FreeSWITCH `mod_audio_fork` text frames (PROTOCOLS.md B.5). The first text frame is
 * the call's metadata (jambonz: call attributes + sampleRate + mixType + your `metadata`; mod_audio_fork:
 * the metadata argument of `uuid_audio_fork`, which must then state sampleRate and mixType itself).
 * Later text frames are events (`{"event":"dtmf","dtmf":"2","duration":"1600"}`). Pure.
 */
import { fail, type EcouteError } from '../../errors.ts';
import { ForkErrors } from './errors.ts';

export const FORK_SUBPROTOCOLS = ['audio.jambonz.org', 'audio.drachtio.org'] as const;
export type MixType = 'mono' | 'mixed' | 'stereo';

export interface ForkMetadata {
  readonly sampleRate: 8000 | 16000;
  readonly mixType: MixType;
  readonly callSid: string | undefined;
  readonly direction: 'inbound' | 'outbound' | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** The fact parameters of docs/ingest.md: jambonz's `metadata` object merged over the top level. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const opt = (o: Obj, k: string) => {
  const v = o[k];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function json(text: string): Obj | EcouteError {
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : fail(ForkErrors.MALFORMED, 'text frame is not a JSON object');
  } catch {
    return fail(ForkErrors.MALFORMED, 'text frame is not valid JSON');
  }
}

export function parseMetadata(
  text: string,
): { ok: true; value: ForkMetadata } | { ok: false; error: EcouteError } {
  const o = json(text);
  if (o instanceof Error) return { ok: false, error: o };
  const parameters = { ...o, ...(isObj(o.metadata) ? o.metadata : {}) };
  const sr = parameters.sampleRate;
  const rateText = (typeof sr === 'number' ? String(sr) : typeof sr === 'string' ? sr : '').replace(
    /k$/i,
    '000',
  );
  const mix = parameters.mixType;
  if (rateText === '' || mix === undefined) {
    return { ok: false, error: fail(ForkErrors.MALFORMED, 'metadata lacks sampleRate or mixType') };
  }
  const rate = Number(rateText);
  if ((rate !== 8000 && rate !== 16000) || (mix !== 'mono' && mix !== 'mixed' && mix !== 'stereo')) {
    const shown = `${String(rate).slice(0, 8)} Hz ${(typeof mix === 'string' ? mix : typeof mix).slice(0, 10)}`;
    return { ok: false, error: fail(ForkErrors.FORMAT, `unsupported ${shown}`) };
  }
  const direction = parameters.direction;
  return {
    ok: true,
    value: {
      sampleRate: rate,
      mixType: mix,
      callSid: opt(parameters, 'callSid') ?? opt(parameters, 'uuid'),
      direction: direction === 'inbound' || direction === 'outbound' ? direction : undefined,
      from: opt(parameters, 'from'),
      to: opt(parameters, 'to'),
      parameters,
    },
  };
}

export type ForkEvent = { readonly event: 'dtmf'; readonly digit: string };

export function parseEvent(text: string): { ok: true; value: ForkEvent } | { ok: false; error: EcouteError } {
  const o = json(text);
  if (o instanceof Error) return { ok: false, error: o };
  if (o.event === 'dtmf') {
    const d = o.dtmf;
    if (typeof d !== 'string' || !/^[0-9A-D*#]$/.test(d))
      return { ok: false, error: fail(ForkErrors.MALFORMED, 'dtmf is not one DTMF key') };
    return { ok: true, value: { event: 'dtmf', digit: d } };
  }
  const shown = typeof o.event === 'string' ? o.event.slice(0, 40) : typeof o.event;
  return { ok: false, error: fail(ForkErrors.UNKNOWN_EVENT, `unknown event ${shown}`) };
}
