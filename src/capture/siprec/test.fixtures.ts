/** Test helper: the vendor corpus of test/fixtures/siprec, with CRLF line ends as on the wire. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../../../test/fixtures/siprec/', import.meta.url).pathname;

/** A fixture as wire bytes: LF → CRLF (sipp and real SRCs send CRLF), no Content-Length (datagram mode). */
export function fixture(name: string): Buffer {
  return Buffer.from(readFileSync(join(dir, name), 'utf8').replace(/\r?\n/g, '\r\n'), 'utf8');
}

export function fixtureText(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

/** Adds an exact Content-Length so the message can go over a stream. */
export function withContentLength(msg: Buffer): Buffer {
  const text = msg.toString('latin1');
  const sep = text.indexOf('\r\n\r\n');
  const body = msg.length - (sep + 4);
  return Buffer.concat([
    Buffer.from(text.slice(0, sep), 'latin1'),
    Buffer.from(`\r\nContent-Length: ${body}\r\n\r\n`),
    msg.subarray(sep + 4),
  ]);
}
