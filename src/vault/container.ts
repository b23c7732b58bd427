/**
 * The sealed container, version 1 (docs/vault-format.md). A header, then fixed-size plaintext chunks each
 * sealed with AES-256-GCM under the recording's own data key (R-SEC-4). The nonce is derived from the
 * chunk index and flags, and the AAD binds the header hash, the index and the flags, so chunks cannot be
 * reordered, dropped, truncated or moved between recordings without failing authentication.
 *
 * Nonce domains: the spool (domain 0) and the container re-encoded from it for storage (domain 1, Opus)
 * hold different plaintexts under the same data key, with the same chunk indexes. Domain 1 puts its number
 * in the nonce and the AAD, and seals under a key derived from the data key and a random salt of the
 * header, so no (key, nonce) pair is ever used twice: not against the spool, and not by a second attempt
 * at sealing after a crash (the encoder's output need not be identical twice).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from 'node:crypto';
import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';

export const MAGIC = 'ECVT';
export const VERSION = 1;
/** GCM tag appended to every chunk: the only per-chunk overhead. */
export const TAG_BYTES = 16;
/** Upper bound of a header, so one read fetches it. */
export const MAX_HEADER_BYTES = 512;
/** Chunk flags, in both the nonce and the AAD. */
export const FLAG_FINAL = 1;
/** Set with FINAL on the empty last chunk that recovery appends after a crash; writers never use it. */
export const FLAG_RECOVERED = 2;
/** Nonce domains (header byte 5): 0 = as spooled, 1 = re-encoded for storage (carries a salt). */
export const DOMAIN_SPOOL = 0;
export const DOMAIN_ENCODED = 1;
export type NonceDomain = typeof DOMAIN_SPOOL | typeof DOMAIN_ENCODED;
export const SALT_BYTES = 16;

const FIXED_BYTES = 28;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;

export interface ContainerHeader {
  readonly version: number;
  readonly recordingId: string;
  /** Plaintext bytes per chunk (the last chunk may be shorter, even empty). */
  readonly chunkBytes: number;
  /** Media format, `codec/rate/channels`, e.g. `pcmu/8000/2` (interleaved, channel 0 = agent). */
  readonly format: string;
  /** 8-byte key check value (hex) of the data key: tells a wrong key from a corrupt chunk. */
  readonly keyCheck: string;
  /** Creation time, ms since the epoch. */
  readonly createdMs: number;
  /** Nonce domain: 0 for spools and containers sealed as spooled, 1 for re-encoded ones. */
  readonly domain: NonceDomain;
  /** Domain 1 only: random salt (hex) of the chunk key derivation, fresh at every sealing attempt. */
  readonly salt?: string;
}

export interface DecodedHeader {
  readonly header: ContainerHeader;
  /** Length of the encoded header in bytes: where chunk 0 starts. */
  readonly length: number;
  /** SHA-256 of the encoded header, bound into every chunk's AAD. */
  readonly hash: Buffer;
}

/** A key check value: HMAC of a constant under the data key; reveals nothing usable about the key. */
export function keyCheckOf(dataKey: Uint8Array): string {
  return createHmac('sha256', dataKey)
    .update('ecoute/vault/key-check/v1')
    .digest()
    .subarray(0, 8)
    .toString('hex');
}

export function encodeHeader(
  h: Omit<ContainerHeader, 'version' | 'domain' | 'salt'> & { domain?: NonceDomain; salt?: string },
): Buffer {
  const id = Buffer.from(h.recordingId, 'utf8');
  const fmt = Buffer.from(h.format, 'utf8');
  const domain = h.domain ?? DOMAIN_SPOOL;
  if (id.length === 0 || id.length > 255 || fmt.length === 0 || fmt.length > 255)
    throw fail(VaultErrors.FORMAT, 'recording id or format too long', { recordingId: h.recordingId });
  if (!Number.isInteger(h.chunkBytes) || h.chunkBytes < 1 || h.chunkBytes > MAX_CHUNK_BYTES)
    throw fail(VaultErrors.FORMAT, 'chunk size out of range', { recordingId: h.recordingId });
  const salt = domain === DOMAIN_ENCODED ? Buffer.from(h.salt ?? '', 'hex') : Buffer.alloc(0);
  if (salt.length !== (domain === DOMAIN_ENCODED ? SALT_BYTES : 0))
    throw fail(VaultErrors.FORMAT, 'a re-encoded container needs a 16-byte salt', {
      recordingId: h.recordingId,
    });
  const out = Buffer.alloc(FIXED_BYTES + 2 + id.length + fmt.length + salt.length);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt8(VERSION, 4);
  out.writeUInt8(domain, 5);
  out.writeUInt16BE(out.length, 6);
  out.writeUInt32BE(h.chunkBytes, 8);
  out.writeBigUInt64BE(BigInt(h.createdMs), 12);
  Buffer.from(h.keyCheck, 'hex').copy(out, 20);
  out.writeUInt8(id.length, 28);
  id.copy(out, 29);
  out.writeUInt8(fmt.length, 29 + id.length);
  fmt.copy(out, 30 + id.length);
  salt.copy(out, 30 + id.length + fmt.length);
  return out;
}

export function decodeHeader(bytes: Uint8Array, recordingId: string): DecodedHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => fail(VaultErrors.BAD_HEADER, `bad container header: ${why}`, { recordingId });
  if (b.length < FIXED_BYTES + 2 || b.toString('latin1', 0, 4) !== MAGIC) throw bad('magic');
  if (b.readUInt8(4) !== VERSION) throw bad(`unsupported version ${b.readUInt8(4)}`);
  const domain = b.readUInt8(5);
  if (domain !== DOMAIN_SPOOL && domain !== DOMAIN_ENCODED) throw bad(`unknown nonce domain ${domain}`);
  const saltLen = domain === DOMAIN_ENCODED ? SALT_BYTES : 0;
  const length = b.readUInt16BE(6);
  if (length > b.length || length < FIXED_BYTES + 2) throw bad('length');
  const idLen = b.readUInt8(28);
  const fmtAt = 29 + idLen;
  if (fmtAt >= length) throw bad('length');
  const fmtLen = b.readUInt8(fmtAt);
  const fmtEnd = fmtAt + 1 + fmtLen;
  if (fmtEnd + saltLen !== length) throw bad('length');
  const header: ContainerHeader = {
    version: VERSION,
    chunkBytes: b.readUInt32BE(8),
    createdMs: Number(b.readBigUInt64BE(12)),
    keyCheck: b.subarray(20, 28).toString('hex'),
    recordingId: b.toString('utf8', 29, 29 + idLen),
    format: b.toString('utf8', fmtAt + 1, fmtEnd),
    domain,
    ...(saltLen ? { salt: b.subarray(fmtEnd, length).toString('hex') } : {}),
  };
  if (header.chunkBytes < 1 || header.chunkBytes > MAX_CHUNK_BYTES) throw bad('chunk size');
  // A container stored under another recording's name is refused before any decryption.
  if (header.recordingId !== recordingId) throw bad('recording id mismatch');
  const hash = createHash('sha256').update(b.subarray(0, length)).digest();
  return { header, length, hash };
}

/** Writes a chunk index as a 64-bit big-endian integer (indexes stay far below 2^53). */
function writeIndex(b: Buffer, index: number, at: number): void {
  b.writeUInt32BE(Math.floor(index / 0x1_0000_0000), at);
  b.writeUInt32BE(index >>> 0, at + 4);
}

/** Nonce: `flags | domain | 0x0000 | index (8)`; domain 0 gives the version-1 nonce unchanged. */
function nonceOf(index: number, flags: number, domain: number): Buffer {
  const n = Buffer.allocUnsafe(12);
  n.writeUInt8(flags, 0);
  n.writeUInt8(domain, 1);
  n.fill(0, 2, 4);
  writeIndex(n, index, 4);
  return n;
}

/** AAD: `headerHash | index | flags`, then the domain byte when it is not 0 (domain 0 is unchanged). */
function aadOf(headerHash: Uint8Array, index: number, flags: number, domain: number): Buffer {
  const a = Buffer.allocUnsafe(domain === DOMAIN_SPOOL ? 41 : 42);
  a.set(headerHash, 0);
  writeIndex(a, index, 32);
  a.writeUInt8(flags, 40);
  if (domain !== DOMAIN_SPOOL) a.writeUInt8(domain, 41);
  return a;
}

/**
 * The key chunks are sealed with: the data key itself in domain 0; in domain 1,
 * HKDF-SHA256(dataKey, salt, "ecoute/vault/chunk-key/v1/domain-1"). Destroying the data key destroys both
 * (R-RET-4).
 */
export function chunkKeyOf(dataKey: Uint8Array, header: ContainerHeader): Buffer {
  if (header.domain === DOMAIN_SPOOL) return Buffer.from(dataKey);
  const salt = Buffer.from(header.salt ?? '', 'hex');
  return Buffer.from(
    hkdfSync('sha256', dataKey, salt, `ecoute/vault/chunk-key/v1/domain-${header.domain}`, 32),
  );
}

/**
 * Seals one chunk: ciphertext then tag. The nonce is unique per (index, flags, domain) under a key of its
 * own recording (and, in domain 1, of its own sealing attempt).
 */
export function sealChunk(
  key: Uint8Array,
  headerHash: Uint8Array,
  index: number,
  flags: number,
  plain: Uint8Array,
  domain: NonceDomain = DOMAIN_SPOOL,
): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonceOf(index, flags, domain));
  c.setAAD(aadOf(headerHash, index, flags, domain));
  const out = Buffer.allocUnsafe(plain.length + TAG_BYTES);
  const body = c.update(plain);
  body.copy(out, 0);
  c.final();
  c.getAuthTag().copy(out, body.length);
  return out;
}

/** Opens one chunk; undefined when authentication fails (the caller names the error). */
export function openChunk(
  key: Uint8Array,
  headerHash: Uint8Array,
  index: number,
  flags: number,
  sealed: Uint8Array,
  domain: NonceDomain = DOMAIN_SPOOL,
): Buffer | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const d = createDecipheriv('aes-256-gcm', key, nonceOf(index, flags, domain));
  d.setAAD(aadOf(headerHash, index, flags, domain));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = d.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    d.final();
    return body;
  } catch {
    return undefined;
  }
}

export interface Layout {
  /** Number of chunks, the last one included (at least 1). */
  readonly chunks: number;
  /** Plaintext bytes of the last chunk (0..chunkBytes). */
  readonly lastPlainBytes: number;
  /** Total plaintext bytes. */
  readonly plainSize: number;
}

/** The chunk layout of a container of `size` bytes; undefined if no valid last chunk fits (truncated). */
export function layoutOf(headerLength: number, chunkBytes: number, size: number): Layout | undefined {
  const body = size - headerLength;
  if (body < TAG_BYTES) return undefined;
  const stride = chunkBytes + TAG_BYTES;
  const chunks = Math.ceil(body / stride);
  const lastSealed = body - (chunks - 1) * stride;
  if (lastSealed < TAG_BYTES) return undefined;
  const lastPlainBytes = lastSealed - TAG_BYTES;
  return { chunks, lastPlainBytes, plainSize: (chunks - 1) * chunkBytes + lastPlainBytes };
}

/** Byte offset of chunk `index` in the container. */
export function chunkOffset(headerLength: number, chunkBytes: number, index: number): number {
  return headerLength + index * (chunkBytes + TAG_BYTES);
}

/** Bytes per second of a raw format string (`pcmu/8000/2`, `pcma/8000/1`, `l16/16000/2`); undefined if not raw. */
export function bytesPerSecond(format: string): number | undefined {
  const m = /^(pcmu|pcma|l16|l8)\/(\d{4,6})\/([12])$/.exec(format);
  if (!m) return undefined;
  const width = m[1] === 'l16' ? 2 : 1;
  return Number(m[2]) * Number(m[3]) * width;
}

/** Validates a format string: `codec/rate/channels` with a lowercase codec name. */
export function checkFormat(format: string, recordingId: string): void {
  if (!/^[a-z0-9]{2,16}\/\d{4,6}\/[12]$/.test(format))
    throw fail(VaultErrors.FORMAT, 'bad media format, expected codec/rate/channels', { recordingId, format });
}
