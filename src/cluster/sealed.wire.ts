/**
 * The sealed envelope of every message on `ecoute.live.*` (call audio and close notices) and
 * `ecoute.calls.*` (call announcements): AES-256-GCM under a cluster key (control.key.ts), so a client of
 * the NATS server without the master key neither hears a call nor announces one (R-SEC-4: audio in transit
 * is encrypted; issue 10). The bytes are pure but for the cipher:
 *
 *   version u8 (2) | 0 u8×3 | seq u64 | at f64 (epoch ms) | nonce 12 | ciphertext | tag 16
 *
 * The clear header and the receiver's `context` (the subject, and the call id on a live subject) are the
 * additional authenticated data: a message cannot be moved to another call or subject, nor its sequence
 * or time changed. The receiver checks `at` against its clock and `seq` against the last one it accepted
 * from that sender (nats.relay.ts); the envelope only proves who sealed what.
 *
 * Nonces: each Sealer (one per key per process) draws a random 64-bit prefix at start and counts 32 bits
 * after it, drawing a new prefix when the counter wraps. A nonce repeats under a key only if two prefixes
 * ever drawn with it collide: for N prefixes (process starts plus wraps) at most N²/2^65, i.e. below 2^-25
 * after a million. Random 96-bit nonces would instead be bounded by messages (2^32 per key at 2^-33),
 * which a cluster publishing 10 blocks/s per call would reach within days on a key that never rotates.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { fail } from '../errors.ts';
import { ClusterErrors } from './errors.ts';

/**
 * How far a message's time may be from the receiver's clock, ms (keep node clocks in NTP); a replay older
 * than this is refused without memory of it. The same bound as call control (CONTROL_TOLERANCE_MS).
 */
export const CLOCK_TOLERANCE_MS = 30_000;

/** Version 1 was the clear format: a message of an older node fails to open instead of being misread. */
export const SEALED_VERSION = 2;
const HEADER = 32;
const NONCE_AT = 20;
const TAG = 16;
/** Bytes a sealed message adds to its plaintext. */
export const SEALED_OVERHEAD = HEADER + TAG;

export interface Opened {
  /** The sender's sequence number: strictly increasing per sender (and so per call on a live subject). */
  readonly seq: number;
  /** When it was sealed, epoch ms of the sender's clock. */
  readonly at: number;
  readonly plaintext: Uint8Array;
}

const aad = (header: Uint8Array, context: string): Buffer =>
  Buffer.concat([header, Buffer.from(context, 'utf8')]);

/** Seals messages under one key, numbering them; one per key per process (see the nonce bound above). */
export class Sealer {
  readonly #key: Uint8Array;
  readonly #nonce = Buffer.alloc(12);
  #counter = 0;
  #seq = 0;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new RangeError('a sealing key is 32 bytes');
    this.#key = key;
    randomBytes(8).copy(this.#nonce, 0);
  }

  /** `context`: what the receiver will expect (subject, call id); `at`: now, epoch ms. */
  seal(context: string, at: number, plaintext: Uint8Array): Uint8Array {
    if (this.#counter > 0xffffffff) {
      randomBytes(8).copy(this.#nonce, 0);
      this.#counter = 0;
    }
    this.#nonce.writeUInt32BE(this.#counter++, 8);
    const seq = ++this.#seq;
    const out = Buffer.allocUnsafe(HEADER + plaintext.length + TAG);
    out.writeUInt32BE(SEALED_VERSION << 24, 0);
    out.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 4);
    out.writeUInt32BE(seq >>> 0, 8);
    out.writeDoubleBE(at, 12);
    this.#nonce.copy(out, NONCE_AT);
    const header = out.subarray(0, HEADER);
    const c = createCipheriv('aes-256-gcm', this.#key, this.#nonce);
    c.setAAD(aad(header, context));
    let pos = HEADER;
    pos += c.update(plaintext).copy(out, pos);
    pos += c.final().copy(out, pos);
    c.getAuthTag().copy(out, pos);
    return out;
  }
}

/**
 * The plaintext, sequence and time of a message sealed under `key` for `context`; throws
 * ECOUTE_CLUSTER_MESSAGE_FORGED when it does not open (another key, altered, another call or subject,
 * truncated, clear).
 */
export function openSealed(key: Uint8Array, context: string, data: Uint8Array): Opened {
  if (data.length < HEADER + TAG || data[0] !== SEALED_VERSION)
    throw fail(ClusterErrors.MESSAGE_FORGED, 'not a sealed cluster message', { why: 'envelope' });
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = buf.subarray(0, HEADER);
  const d = createDecipheriv('aes-256-gcm', key, buf.subarray(NONCE_AT, HEADER));
  d.setAAD(aad(header, context));
  d.setAuthTag(buf.subarray(buf.length - TAG));
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([d.update(buf.subarray(HEADER, buf.length - TAG)), d.final()]);
  } catch {
    throw fail(ClusterErrors.MESSAGE_FORGED, 'cluster message does not authenticate', { why: 'tag' });
  }
  return {
    seq: buf.readUInt32BE(4) * 0x1_0000_0000 + buf.readUInt32BE(8),
    at: buf.readDoubleBE(12),
    plaintext,
  };
}
