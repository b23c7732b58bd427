import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';

/** An RFC 4733 §2.3 telephone-event payload. The digit is only ever handed to the objection check (R-PCI-2). */
export interface TelephoneEvent {
  /** 0–9, 10 = '*', 11 = '#', 12–15 = A–D; other values are non-DTMF events. */
  event: number;
  end: boolean;
  volume: number;
  /** Duration in RTP timestamp units. */
  duration: number;
}

const DIGITS = '0123456789*#ABCD';

/** The DTMF character of an event code, or undefined for non-DTMF events (flash, tones). */
export function eventDigit(event: number): string | undefined {
  return event < 16 ? DIGITS[event] : undefined;
}

/** Parses the first event block of `payload` into `out` (redundant blocks of RFC 4733 §2.5.1.1 are ignored). */
export function parseTelephoneEvent(
  buf: Uint8Array,
  offset: number,
  length: number,
  out: TelephoneEvent = { event: 0, end: false, volume: 0, duration: 0 },
): TelephoneEvent {
  if (length < 4) throw fail(MediaErrors.TELEPHONE_EVENT, undefined, { length });
  const b1 = buf[offset + 1] as number;
  out.event = buf[offset] as number;
  out.end = (b1 & 0x80) !== 0;
  out.volume = b1 & 0x3f;
  out.duration = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
  return out;
}

/** Writes an event payload (tests and tools). */
export function writeTelephoneEvent(buf: Uint8Array, offset: number, e: TelephoneEvent): number {
  buf[offset] = e.event & 0xff;
  buf[offset + 1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  buf[offset + 2] = (e.duration >> 8) & 0xff;
  buf[offset + 3] = e.duration & 0xff;
  return 4;
}
