import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The access log's hash chain (R-SEC-2). Each entry's hash is SHA-256 over its previous entry's hash and
 * the canonical JSON of its fields, so altering, removing or inserting a row breaks every later link.
 * Every `checkpointEvery` entries a checkpoint entry is appended whose detail carries an HMAC-SHA256 over
 * (seq, prevHash, at) with a key kept apart from the database: after a retention purge the first kept
 * entry is such a checkpoint, and its signature anchors the prevHash that no longer has a predecessor.
 */
export const GENESIS_HASH = '0'.repeat(64);
export const CHECKPOINT_ACTION = 'audit_checkpoint';

export interface ChainFields {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string | null;
  readonly purpose: string | null;
  readonly result: string;
  readonly sourceAddress: string | null;
  /** JSON text. */
  readonly detail: string;
}

export interface ChainEntry extends ChainFields {
  readonly prevHash: string;
  readonly hash: string;
}

/** JSON with keys sorted at every level: the same value always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function entryHash(prevHash: string, f: ChainFields): string {
  const fields: ChainFields = {
    seq: f.seq,
    at: f.at,
    actor: f.actor,
    role: f.role,
    action: f.action,
    objectType: f.objectType,
    objectId: f.objectId,
    purpose: f.purpose,
    result: f.result,
    sourceAddress: f.sourceAddress,
    detail: f.detail,
  };
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

export function link(prevHash: string, fields: ChainFields): ChainEntry {
  return { ...fields, prevHash, hash: entryHash(prevHash, fields) };
}

export function checkpointSignature(key: Uint8Array, seq: number, prevHash: string, at: number): string {
  return createHmac('sha256', key)
    .update(`ecoute-audit-checkpoint\n${seq}\n${prevHash}\n${at}`)
    .digest('hex');
}

/** The fields of a checkpoint entry at `seq` following `prevHash`. */
export function checkpointFields(
  key: Uint8Array,
  seq: number,
  prevHash: string,
  at: number,
  sealedCount: number,
): ChainFields {
  const signature = checkpointSignature(key, seq, prevHash, at);
  return {
    seq,
    at,
    actor: 'system',
    role: 'system',
    action: CHECKPOINT_ACTION,
    objectType: 'access_log',
    objectId: null,
    purpose: null,
    result: 'allowed',
    sourceAddress: null,
    detail: canonicalJson({ alg: 'HMAC-SHA256', sealedCount, signature }),
  };
}

function checkpointValid(key: Uint8Array, e: ChainEntry): boolean {
  let detail: { signature?: unknown };
  try {
    detail = JSON.parse(e.detail) as { signature?: unknown };
  } catch {
    return false;
  }
  if (typeof detail.signature !== 'string' || detail.signature.length !== 64) return false;
  const expected = Buffer.from(checkpointSignature(key, e.seq, e.prevHash, e.at), 'hex');
  return timingSafeEqual(expected, Buffer.from(detail.signature, 'hex'));
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly count: number;
      readonly firstSeq?: number;
      readonly lastSeq?: number;
      readonly lastHash: string;
    }
  | { readonly ok: false; readonly seq: number; readonly reason: string };

/** Incremental verifier so that the whole log can be walked page by page without loading it at once. */
export class ChainVerifier {
  #prev: ChainEntry | undefined;
  #count = 0;
  #firstSeq: number | undefined;
  #failure: { seq: number; reason: string } | undefined;

  constructor(private readonly key: Uint8Array) {}

  /** Feeds the next entry in seq order; returns false once a broken link has been found. */
  push(e: ChainEntry): boolean {
    if (this.#failure) return false;
    const reason = this.#check(e);
    if (reason) {
      this.#failure = { seq: e.seq, reason };
      return false;
    }
    this.#firstSeq ??= e.seq;
    this.#prev = e;
    this.#count++;
    return true;
  }

  #check(e: ChainEntry): string | undefined {
    const prev = this.#prev;
    if (!prev) {
      const anchored = e.seq === 1 && e.prevHash === GENESIS_HASH;
      const byCheckpoint = e.action === CHECKPOINT_ACTION && checkpointValid(this.key, e);
      if (!anchored && !byCheckpoint)
        return 'first entry is neither the genesis entry nor a signed checkpoint';
    } else {
      if (e.seq !== prev.seq + 1) return `sequence gap: expected ${prev.seq + 1}`;
      if (e.prevHash !== prev.hash) return 'prev_hash does not match the previous entry';
    }
    if (entryHash(e.prevHash, e) !== e.hash) return 'hash does not match the entry contents';
    if (e.action === CHECKPOINT_ACTION && !checkpointValid(this.key, e))
      return 'checkpoint signature invalid';
    return undefined;
  }

  result(): VerifyResult {
    if (this.#failure) return { ok: false, ...this.#failure };
    const base = { ok: true as const, count: this.#count, lastHash: this.#prev?.hash ?? GENESIS_HASH };
    return this.#prev ? { ...base, firstSeq: this.#firstSeq, lastSeq: this.#prev.seq } : base;
  }
}

/** Verifies entries given in seq order; reports the first broken link with its seq. */
export function verifyChain(entries: Iterable<ChainEntry>, key: Uint8Array): VerifyResult {
  const v = new ChainVerifier(key);
  for (const e of entries) if (!v.push(e)) break;
  return v.result();
}
