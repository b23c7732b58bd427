/**
 * R-MIN-1: free text (evaluation comments, agent replies, transcripts) is scanned for personal data
 * before it is saved. Findings carry the kind and the offsets only, never the matched value, so that the
 * refusal itself (in an API answer, a log) does not copy the data. Checksums cut false positives: card
 * numbers must pass Luhn, IBANs ISO 7064 mod-97.
 */

export type FindingKind = 'phone' | 'card' | 'email' | 'iban';

export interface Finding {
  readonly kind: FindingKind;
  /** UTF-16 offsets in the scanned text, `end` exclusive. */
  readonly start: number;
  readonly end: number;
}

// Separators people type inside numbers: space, dot, dash, non-breaking spaces.
const SEP = '[ .\\-\\u00a0\\u202f]?';
const IBAN_START = /\b[A-Z]{2}\d{2}/gi;
const CARD = new RegExp(`(?<![\\d])\\d(?:${SEP}\\d){12,18}(?![\\d])`, 'g');
// French national (0X XX XX XX XX), French international (+33 / 0033), and any E.164 (+ and 8-15 digits).
const PHONE_FR = new RegExp(
  `(?<![\\d+])(?:(?:\\+|00)33${SEP}(?:\\(0\\))?${SEP}[1-9]|0[1-9])(?:${SEP}\\d){8}(?![\\d])`,
  'g',
);
const PHONE_E164 = new RegExp(`(?<![\\d+])\\+[1-9](?:${SEP}\\(?\\d\\)?){7,14}(?![\\d])`, 'g');
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi;

const digitsOf = (s: string): string => s.replace(/\D/g, '');

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

export function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, '').toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** IBAN candidates: from a country code, the longest run (single spaces allowed) that passes mod-97. */
function ibans(text: string): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(IBAN_START)) {
    const start = m.index;
    let end = start;
    let best = -1;
    for (let i = start; i < text.length && i - start < 50; i++) {
      const ch = text[i] as string;
      if (/[A-Za-z0-9]/.test(ch)) end = i + 1;
      else if (!(ch === ' ' && i > start && text[i - 1] !== ' ')) break;
      const next = text[end] ?? ' ';
      if (end === i + 1 && !/[A-Za-z0-9]/.test(next) && ibanValid(text.slice(start, end))) best = end;
    }
    if (best > 0) out.push({ kind: 'iban', start, end: best });
  }
  return out;
}

function matches(text: string, re: RegExp, kind: FindingKind, accept: (m: string) => boolean): Finding[] {
  const out: Finding[] = [];
  for (const m of text.matchAll(re)) {
    if (m.index !== undefined && accept(m[0])) out.push({ kind, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** All personal data found in `text`, in order, without overlaps (checksummed kinds win). */
export function scanPersonalData(text: string): Finding[] {
  const ordered = [
    ...ibans(text),
    ...matches(text, CARD, 'card', (m) => luhnValid(digitsOf(m))),
    ...matches(text, EMAIL, 'email', () => true),
    ...matches(text, PHONE_FR, 'phone', () => true),
    ...matches(text, PHONE_E164, 'phone', (m) => digitsOf(m).length >= 8),
  ];
  const kept: Finding[] = [];
  for (const f of ordered) if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  return kept.sort((a, b) => a.start - b.start);
}

/** Replaces every finding by `[kind]` (transcripts are stored redacted, R-MIN-1). */
export function redactPersonalData(text: string): { text: string; findings: Finding[] } {
  const findings = scanPersonalData(text);
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += `${text.slice(at, f.start)}[${f.kind}]`;
    at = f.end;
  }
  return { text: out + text.slice(at), findings };
}
