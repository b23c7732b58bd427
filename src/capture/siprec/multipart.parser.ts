/**
 * multipart/mixed bodies (RFC 2046 §5.1) as SIPREC INVITEs carry them: SDP + metadata in any order,
 * extra parts (Cisco's application/gtd), preamble and epilogue, CRLF or bare LF. Pure.
 */
import { fail } from '../../errors.ts';
import { SipErrors } from './errors.ts';

export interface MimePart {
  /** Lower-cased media type without parameters, e.g. `application/sdp`; `text/plain` when absent. */
  readonly type: string;
  readonly contentType: string | undefined;
  /** Disposition type lower-cased (`session`, `recording-session`, `signal`), if any. */
  readonly disposition: string | undefined;
  /** Every part header, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The media type of a Content-Type value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A Content-Type parameter (quoted or not), e.g. `boundary`. */
export function contentTypeParam(contentType: string, name: string): string | undefined {
  const re = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i');
  const m = re.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function mpError(reason: string): Error {
  return fail(SipErrors.MULTIPART_MALFORMED, `malformed multipart body: ${reason}`, { reason });
}

function parsePart(raw: Buffer): MimePart {
  // A part with no headers starts directly with the blank line.
  let headEnd = -1;
  let bodyStart = 0;
  if (raw[0] === 0x0a) bodyStart = 1;
  else if (raw[0] === 0x0d && raw[1] === 0x0a) bodyStart = 2;
  else {
    const crlf = raw.indexOf('\r\n\r\n');
    const lf = raw.indexOf('\n\n');
    if (crlf >= 0 && (lf < 0 || crlf < lf)) [headEnd, bodyStart] = [crlf, crlf + 4];
    else if (lf >= 0) [headEnd, bodyStart] = [lf, lf + 2];
    else [headEnd, bodyStart] = [raw.length, raw.length];
  }
  const headers: Record<string, string> = {};
  if (headEnd > 0) {
    for (const line of raw.toString('utf8', 0, headEnd).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
  }
  const contentType = headers['content-type'];
  const disposition = headers['content-disposition']?.split(';')[0]?.trim().toLowerCase() || undefined;
  return {
    type: mediaType(contentType) || 'text/plain',
    contentType,
    disposition,
    headers,
    body: raw.subarray(bodyStart),
  };
}

/** Splits a multipart body. Throws MULTIPART_MALFORMED when the boundary is missing or never found. */
export function parseMultipart(body: Buffer, contentType: string): MimePart[] {
  const boundary = contentTypeParam(contentType, 'boundary');
  if (!boundary) throw mpError('no boundary parameter');
  if (boundary.length > 200) throw mpError('boundary too long');
  const delim = Buffer.from(`--${boundary}`);
  const positions: number[] = [];
  let at = body.indexOf(delim);
  while (at >= 0) {
    // RFC 2046: a delimiter starts a line.
    if (at === 0 || body[at - 1] === 0x0a) positions.push(at);
    at = body.indexOf(delim, at + delim.length);
  }
  if (positions.length === 0) throw mpError('boundary not found');
  const parts: MimePart[] = [];
  for (let i = 0; i < positions.length; i++) {
    const start = positions[i]! + delim.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing delimiter; the rest is epilogue
    const lineEnd = body.indexOf(0x0a, start);
    if (lineEnd < 0) break;
    const next = positions[i + 1] ?? body.length;
    let end = next;
    // The CRLF before the next delimiter belongs to the delimiter.
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    if (end < lineEnd + 1) end = lineEnd + 1;
    parts.push(parsePart(body.subarray(lineEnd + 1, end)));
  }
  if (parts.length === 0) throw mpError('no part');
  return parts;
}
