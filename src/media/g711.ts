/**
 * G.711 µ-law and A-law (ITU-T G.711), as lookup tables built once. Decoding is a table read per sample,
 * encoding a small computation; both work in place on caller-owned buffers (no per-packet allocation).
 */
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);

for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  ULAW_DECODE[i] = u & 0x80 ? 0x84 - t : t - 0x84;

  const a = i ^ 0x55;
  let v = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) v += 8;
  else if (seg === 1) v += 0x108;
  else v = (v + 0x108) << (seg - 1);
  ALAW_DECODE[i] = a & 0x80 ? v : -v;
}

/** The decode table of `law` (256 PCM16 values by code), for loops that decode in place; read only. */
export function g711DecodeTable(law: 'pcmu' | 'pcma'): Int16Array {
  return law === 'pcmu' ? ULAW_DECODE : ALAW_DECODE;
}

export function ulawToLinear(byte: number): number {
  return ULAW_DECODE[byte & 0xff] as number;
}

export function alawToLinear(byte: number): number {
  return ALAW_DECODE[byte & 0xff] as number;
}

export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = sample | 0;
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function linearToAlaw(sample: number): number {
  let s = sample | 0;
  const sign = s >= 0 ? 0x80 : 0;
  if (!sign) s = -s - 1;
  if (s > 32767) s = 32767;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = exponent === 0 ? (s >> 4) & 0x0f : (s >> (exponent + 3)) & 0x0f;
  return ((sign | (exponent << 4) | mantissa) ^ 0x55) & 0xff;
}

/** Decodes `src` (G.711 bytes) into `dst` (PCM 16-bit) from offset `at`; returns the samples written. */
export function decodeG711(law: 'pcmu' | 'pcma', src: Uint8Array, dst: Int16Array, at = 0): number {
  const table = law === 'pcmu' ? ULAW_DECODE : ALAW_DECODE;
  const n = Math.min(src.length, dst.length - at);
  for (let i = 0; i < n; i++) dst[at + i] = table[src[i] as number] as number;
  return n;
}

export function encodeG711(law: 'pcmu' | 'pcma', src: Int16Array, dst: Uint8Array, at = 0): number {
  const enc = law === 'pcmu' ? linearToUlaw : linearToAlaw;
  const n = Math.min(src.length, dst.length - at);
  for (let i = 0; i < n; i++) dst[at + i] = enc(src[i] as number);
  return n;
}

/** The µ-law and A-law bytes for digital silence. */
export const ULAW_SILENCE = 0xff;
export const ALAW_SILENCE = 0xd5;
