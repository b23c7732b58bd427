/**
 * What NATS carries, before sealing (pure): a live block is a 16-byte header + the stereo µ-law exactly as
 * the spool gets it; a close notice carries the reason and the rule that ended listening (R-CAL-2,
 * R-PCI-1). Call announcements are JSON with the non-personal call facts only: ids, team, agent id, queue,
 * policy, purposes, whether live listening is allowed, start time. No number, name or SIP URI ever crosses.
 * These plaintexts never reach NATS as such: the relay seals each one (sealed.wire.ts, R-SEC-4).
 */
import { fail } from '../errors.ts';
import { decodeG711 } from '../media/g711.ts';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { ClusterErrors } from './errors.ts';

export const WIRE_VERSION = 1;
const HEADER = 16;
const KIND_BLOCK = 1;
const KIND_CLOSE = 2;

export type CloseReason = 'ended' | 'objection' | 'paused' | 'revoked';

export type LiveMessage =
  | { readonly kind: 'block'; readonly block: StereoBlock }
  | { readonly kind: 'close'; readonly reason: CloseReason; readonly rule?: string };

/** Subject of one call's audio. Call ids are UUIDs, so they never contain NATS tokens ('.', '*', '>'). */
export const liveSubject = (callId: string): string => `ecoute.live.${callId}`;
export const CALLS_SUBJECT = 'ecoute.calls.live';
/** What a live message is sealed for: its subject and its call, so it cannot be moved to another call. */
export const liveContext = (callId: string): string => `${liveSubject(callId)}\n${callId}`;

/** version u8 | kind u8 | channels u8 | paused u8 | seq u32 | startSample u32 | frames u32 | pcmu… */
export function encodeBlock(block: StereoBlock): Uint8Array {
  const out = new Uint8Array(HEADER + block.pcmu.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, WIRE_VERSION);
  v.setUint8(1, KIND_BLOCK);
  v.setUint8(2, block.channels);
  v.setUint8(3, block.paused ? 1 : 0);
  v.setUint32(4, block.seq >>> 0);
  v.setUint32(8, block.startSample >>> 0);
  v.setUint32(12, block.frames >>> 0);
  out.set(block.pcmu, HEADER);
  return out;
}

export function encodeClose(reason: CloseReason, rule?: string): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify({ reason, rule }));
  const out = new Uint8Array(4 + text.length);
  out.set([WIRE_VERSION, KIND_CLOSE, 0, 0]);
  out.set(text, 4);
  return out;
}

const REASONS: readonly CloseReason[] = ['ended', 'objection', 'paused', 'revoked'];

function invalid(why: string): never {
  throw fail(ClusterErrors.MESSAGE_INVALID, `live message: ${why}`, { why });
}

export function decodeLive(data: Uint8Array): LiveMessage {
  if (data.length < 4 || data[0] !== WIRE_VERSION) invalid('unknown version');
  if (data[1] === KIND_CLOSE) {
    let parsed: { reason?: unknown; rule?: unknown };
    try {
      parsed = JSON.parse(new TextDecoder().decode(data.subarray(4))) as typeof parsed;
    } catch {
      return invalid('close notice is not JSON');
    }
    const reason = REASONS.find((r) => r === parsed.reason) ?? invalid('unknown close reason');
    return typeof parsed.rule === 'string'
      ? { kind: 'close', reason, rule: parsed.rule }
      : { kind: 'close', reason };
  }
  if (data[1] !== KIND_BLOCK || data.length < HEADER) invalid('not a block');
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = v.getUint8(2);
  const frames = v.getUint32(12);
  if ((channels !== 1 && channels !== 2) || data.length !== HEADER + frames * channels)
    invalid('length mismatch');
  const n = frames * channels;
  // The same layout as blockFromBuffer: PCM16 first, then µ-law, in one buffer.
  const buffer = new ArrayBuffer(n * 3);
  const pcm = new Int16Array(buffer, 0, n);
  const pcmu = new Uint8Array(buffer, n * 2, n);
  pcmu.set(data.subarray(HEADER));
  decodeG711('pcmu', pcmu, pcm);
  const startSample = v.getUint32(8);
  return {
    kind: 'block',
    block: {
      seq: v.getUint32(4),
      startSample,
      startMs: Math.round((startSample * 1000) / 8000),
      frames,
      channels,
      format: channels === 2 ? 'pcmu/8000/2' : 'pcmu/8000/1',
      pcmu,
      pcm,
      paused: v.getUint8(3) === 1,
      buffer,
    },
  };
}

/** A call in progress as the cluster knows it: only non-personal facts (R-MIN-4 spirit, R-SEC-3). */
export interface LiveCallInfo {
  readonly callId: string;
  readonly recordingId: string;
  /** The node whose spool holds the call's media. */
  readonly nodeId: string;
  readonly team: string | null;
  readonly agentId: string | null;
  readonly queue: string | null;
  readonly direction: string;
  readonly policyId: string | null;
  readonly purposes: readonly string[];
  /** Whether the policy allows live listening (R-EMP-6); the API still checks the listener. */
  readonly liveListening: boolean;
  /** Epoch ms. */
  readonly startedAt: number;
  readonly state: 'recording' | 'paused';
}

export type CallsAnnouncement =
  | { readonly v: 1; readonly type: 'started'; readonly call: LiveCallInfo }
  | { readonly v: 1; readonly type: 'ended'; readonly nodeId: string; readonly callId: string }
  /** Every node's full list, periodically: heals lost announcements and expires a dead node's calls. */
  | {
      readonly v: 1;
      readonly type: 'snapshot';
      readonly nodeId: string;
      readonly calls: readonly LiveCallInfo[];
    }
  /** A node just joined and asks the others for their snapshot. */
  | { readonly v: 1; readonly type: 'hello'; readonly nodeId: string };

const str = (x: unknown): x is string => typeof x === 'string';
const strOrNull = (x: unknown): boolean => x === null || typeof x === 'string';

function validCall(c: unknown): c is LiveCallInfo {
  if (typeof c !== 'object' || c === null) return false;
  const o = c as Record<string, unknown>;
  return (
    str(o.callId) &&
    str(o.recordingId) &&
    str(o.nodeId) &&
    strOrNull(o.team) &&
    strOrNull(o.agentId) &&
    strOrNull(o.queue) &&
    str(o.direction) &&
    strOrNull(o.policyId) &&
    Array.isArray(o.purposes) &&
    o.purposes.every(str) &&
    typeof o.liveListening === 'boolean' &&
    typeof o.startedAt === 'number' &&
    (o.state === 'recording' || o.state === 'paused')
  );
}

/** Keeps only the announced fields, so nothing personal can ride along by accident. */
export function pickCall(c: LiveCallInfo): LiveCallInfo {
  const {
    callId,
    recordingId,
    nodeId,
    team,
    agentId,
    queue,
    direction,
    policyId,
    purposes,
    liveListening,
    startedAt,
    state,
  } = c;
  return {
    callId,
    recordingId,
    nodeId,
    team,
    agentId,
    queue,
    direction,
    policyId,
    purposes: [...purposes],
    liveListening,
    startedAt,
    state,
  };
}

export function encodeAnnouncement(a: CallsAnnouncement): Uint8Array {
  const clean: CallsAnnouncement =
    a.type === 'started'
      ? { ...a, call: pickCall(a.call) }
      : a.type === 'snapshot'
        ? { ...a, calls: a.calls.map(pickCall) }
        : a;
  return new TextEncoder().encode(JSON.stringify(clean));
}

export function decodeAnnouncement(data: Uint8Array): CallsAnnouncement {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
  } catch {
    return invalid('announcement is not JSON');
  }
  if (o.v !== 1) invalid('unknown announcement version');
  switch (o.type) {
    case 'started':
      if (!validCall(o.call)) invalid('bad call');
      return { v: 1, type: 'started', call: pickCall(o.call) };
    case 'ended':
      if (!str(o.nodeId) || !str(o.callId)) invalid('bad ended');
      return { v: 1, type: 'ended', nodeId: o.nodeId, callId: o.callId };
    case 'snapshot':
      if (!str(o.nodeId) || !Array.isArray(o.calls) || !o.calls.every(validCall)) invalid('bad snapshot');
      return { v: 1, type: 'snapshot', nodeId: o.nodeId, calls: o.calls.map(pickCall) };
    case 'hello':
      if (!str(o.nodeId)) invalid('bad hello');
      return { v: 1, type: 'hello', nodeId: o.nodeId };
    default:
      return invalid('unknown announcement type');
  }
}
