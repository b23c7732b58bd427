/**
 * Frames SIP messages out of a byte stream (TCP/TLS, RFC 3261 §18.3: Content-Length is mandatory on
 * streams). Pure and synchronous: push(chunk) returns the messages (or typed errors) it completed.
 * Garbage is skipped up to the next line that looks like a SIP start line, so one bad message does not
 * lose the ones behind it.
 */
import { fail, isEcouteError, type EcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import type { SipMessage } from './sip.message.ts';
import { MAX_SIP_BYTES, findHeaderEnd, malformed, parseSipMessage } from './sip.parser.ts';

export type Framed =
  { readonly ok: true; readonly message: SipMessage } | { readonly ok: false; readonly error: EcouteError };

const START_LINE = /^(?:[A-Z]{2,20} \S+ SIP\/2\.0|SIP\/2\.0 \d{3}[ \r\n])/;
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\S*)[ \t]*\r?$/im;

export class SipStreamFramer {
  #buf: Buffer = Buffer.alloc(0);
  /** Bytes of an oversize message still to discard as they arrive. */
  #skip = 0;
  readonly #max: number;

  constructor(maxBytes = MAX_SIP_BYTES) {
    this.#max = maxBytes;
  }

  /** Bytes held waiting for the rest of a message. */
  get pending(): number {
    return this.#buf.length;
  }

  push(chunk: Buffer): Framed[] {
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, chunk.length);
      this.#skip -= n;
      chunk = chunk.subarray(n);
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Framed[] = [];
    for (;;) {
      const r = this.#next();
      if (r === undefined) break;
      out.push(r);
    }
    return out;
  }

  #next(): Framed | undefined {
    this.#skipKeepAlives();
    if (this.#buf.length === 0) return undefined;
    if (!START_LINE.test(this.#buf.toString('latin1', 0, Math.min(this.#buf.length, 64)))) {
      // Wait for a whole first line before calling it garbage.
      if (this.#buf.indexOf(0x0a) < 0 && this.#buf.length < 64) return undefined;
      return { ok: false, error: this.#resync('garbage before a SIP start line') };
    }
    const sep = findHeaderEnd(this.#buf);
    if (!sep) {
      if (this.#buf.length > this.#max) return { ok: false, error: this.#drop(this.#buf.length) };
      return undefined;
    }
    const head = this.#buf.toString('latin1', 0, sep.end);
    const m = CONTENT_LENGTH.exec(head);
    const length = m ? Number(m[1]) : 0;
    if (!Number.isSafeInteger(length) || length < 0) {
      return { ok: false, error: this.#resync('bad Content-Length', sep.bodyStart) };
    }
    const total = sep.bodyStart + length;
    if (total > this.#max) {
      // The declared size is too large: skip exactly that much if it is already here, else resync.
      return { ok: false, error: total <= this.#buf.length ? this.#drop(total) : this.#dropAll(total) };
    }
    if (this.#buf.length < total) return undefined;
    const bytes = this.#buf.subarray(0, total);
    this.#buf = this.#buf.subarray(total);
    try {
      return { ok: true, message: parseSipMessage(bytes, { mode: 'stream' }) };
    } catch (e) {
      if (isEcouteError(e)) return { ok: false, error: e };
      throw e;
    }
  }

  #skipKeepAlives(): void {
    // RFC 5626 §4.4.1 keep-alives: bare CRLFs between messages.
    let i = 0;
    while (i < this.#buf.length && (this.#buf[i] === 0x0d || this.#buf[i] === 0x0a)) i++;
    if (i > 0) this.#buf = this.#buf.subarray(i);
  }

  /** Drops bytes up to the next plausible start line (searching from `from`). */
  #resync(reason: string, from = 1): EcouteError {
    const text = this.#buf.toString('latin1');
    const re = /\n(?=[A-Z]{2,20} \S+ SIP\/2\.0\r?\n|SIP\/2\.0 \d{3} )/g;
    re.lastIndex = Math.max(0, from - 1);
    const hit = re.exec(text);
    this.#buf = hit ? this.#buf.subarray(hit.index + 1) : Buffer.alloc(0);
    return malformed(reason);
  }

  #drop(n: number): EcouteError {
    this.#buf = this.#buf.subarray(n);
    return fail(SipErrors.TOO_LARGE, 'SIP message larger than 64 KiB on a stream', { bytes: n });
  }

  #dropAll(n: number): EcouteError {
    this.#skip = n - this.#buf.length;
    this.#buf = Buffer.alloc(0);
    return fail(SipErrors.TOO_LARGE, 'SIP message larger than 64 KiB on a stream', { bytes: n });
  }
}
