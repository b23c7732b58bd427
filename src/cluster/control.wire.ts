/**
 * Call control across nodes on NATS (issue 10), the bytes (pure but for the HMAC): a request names the call,
 * the action, who pressed (a user id or an API token id, never a login or a name), the two nodes, the time
 * and a request id; the owner's reply names the call's resulting state. Nothing personal crosses.
 *
 * Every message is `HMAC-SHA256(key, json) (32 bytes) | json`, keyed with the cluster control key
 * (control.key.ts): only a node of this cluster can ask another to pause, destroy or flag a call, and only
 * the owner can answer. A request binds its target node and time, so it cannot be sent to another node or
 * replayed later (the owner also refuses a request id it has already seen).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fail } from '../errors.ts';
import { ClusterErrors } from './errors.ts';

export const CONTROL_VERSION = 1;
const MAC = 32;

/** The access actions a remote press may carry (src/api/access/roles.ts names). */
export const CONTROL_ACTIONS = [
  'pause',
  'resume',
  'objection',
  'card_data',
  'personal_call',
  'incident',
] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

export interface ControlRequest {
  readonly v: 1;
  readonly kind: 'request';
  /** Random id, unique per press; the owner refuses one it has seen (replay). */
  readonly requestId: string;
  readonly callId: string;
  readonly action: ControlAction;
  /** Who pressed: an API token (`calls:control`) or a user (the agent's own session). Ids only. */
  readonly by: { readonly kind: 'user' | 'token'; readonly id: string };
  /** Node that checked access and logged it. */
  readonly from: string;
  /** Node that holds the call; any other node refuses the request. */
  readonly to: string;
  /** Epoch ms when sent; the owner refuses a request outside its clock's tolerance. */
  readonly at: number;
}

/** Why an owner refused a request without acting. */
export type Refusal = 'signature' | 'malformed' | 'wrong_node' | 'stale' | 'replayed';
const REFUSALS: readonly Refusal[] = ['signature', 'malformed', 'wrong_node', 'stale', 'replayed'];

export type ControlReply =
  | {
      readonly v: 1;
      readonly kind: 'reply';
      readonly requestId: string;
      readonly from: string;
      readonly outcome: 'done';
      readonly callId: string;
      readonly recordingId: string;
      /** The call's state after the action: recording, paused, objected, card_data_destroyed… */
      readonly state: string;
      /** Audio captured so far, ms (the incident flag's offset, R-PUR-6). */
      readonly capturedMs: number;
    }
  | {
      readonly v: 1;
      readonly kind: 'reply';
      readonly requestId: string;
      readonly from: string;
      /** not_in_progress: ended meanwhile; failed: the action threw; refused: see `refusal`. */
      readonly outcome: 'not_in_progress' | 'failed' | 'refused';
      readonly refusal?: Refusal;
    };

/** One subject per node. Node ids hold '.' (a host name), a NATS token separator: base64url keeps one token. */
export const controlSubject = (nodeId: string): string =>
  `ecoute.control.${Buffer.from(nodeId, 'utf8').toString('base64url')}`;

const mac = (key: Uint8Array, body: Uint8Array): Buffer => createHmac('sha256', key).update(body).digest();

function seal(key: Uint8Array, message: object): Uint8Array {
  const body = new TextEncoder().encode(JSON.stringify(message));
  const out = new Uint8Array(MAC + body.length);
  out.set(mac(key, body), 0);
  out.set(body, MAC);
  return out;
}

/** The JSON object under a valid MAC; CONTROL_FORGED when the MAC does not verify with `key`. */
function open(key: Uint8Array, data: Uint8Array): Record<string, unknown> {
  if (data.length <= MAC) throw fail(ClusterErrors.CONTROL_FORGED, 'control message too short');
  const body = data.subarray(MAC);
  const expected = mac(key, body);
  if (!timingSafeEqual(expected, data.subarray(0, MAC)))
    throw fail(ClusterErrors.CONTROL_FORGED, 'control message signature does not verify');
  let o: unknown;
  try {
    o = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return invalid('control message is not JSON');
  }
  if (typeof o !== 'object' || o === null || (o as { v?: unknown }).v !== CONTROL_VERSION)
    invalid('unknown control message version');
  return o as Record<string, unknown>;
}

function invalid(why: string): never {
  throw fail(ClusterErrors.MESSAGE_INVALID, `control message: ${why}`, { why });
}

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 200;

export function encodeRequest(key: Uint8Array, r: ControlRequest): Uint8Array {
  // Only the declared fields, in a fixed order: nothing else can ride along.
  const { v, kind, requestId, callId, action, by, from, to, at } = r;
  return seal(key, { v, kind, requestId, callId, action, by: { kind: by.kind, id: by.id }, from, to, at });
}

export function decodeRequest(key: Uint8Array, data: Uint8Array): ControlRequest {
  const o = open(key, data);
  const by = o.by as Record<string, unknown> | null | undefined;
  const action = CONTROL_ACTIONS.find((a) => a === o.action);
  if (
    o.kind !== 'request' ||
    !str(o.requestId) ||
    !str(o.callId) ||
    !action ||
    typeof by !== 'object' ||
    by === null ||
    (by.kind !== 'user' && by.kind !== 'token') ||
    !str(by.id) ||
    !str(o.from) ||
    !str(o.to) ||
    typeof o.at !== 'number'
  )
    invalid('bad control request');
  return {
    v: 1,
    kind: 'request',
    requestId: o.requestId,
    callId: o.callId,
    action,
    by: { kind: by.kind, id: by.id },
    from: o.from,
    to: o.to,
    at: o.at,
  };
}

export function encodeReply(key: Uint8Array, r: ControlReply): Uint8Array {
  const base = { v: r.v, kind: r.kind, requestId: r.requestId, from: r.from, outcome: r.outcome };
  return seal(
    key,
    r.outcome === 'done'
      ? { ...base, callId: r.callId, recordingId: r.recordingId, state: r.state, capturedMs: r.capturedMs }
      : r.refusal
        ? { ...base, refusal: r.refusal }
        : base,
  );
}

export function decodeReply(key: Uint8Array, data: Uint8Array): ControlReply {
  const o = open(key, data);
  if (o.kind !== 'reply' || !str(o.requestId) || !str(o.from)) invalid('bad control reply');
  const base = { v: 1, kind: 'reply', requestId: o.requestId, from: o.from } as const;
  switch (o.outcome) {
    case 'done':
      if (!str(o.callId) || !str(o.recordingId) || !str(o.state) || typeof o.capturedMs !== 'number')
        invalid('bad control reply');
      return {
        ...base,
        outcome: 'done',
        callId: o.callId,
        recordingId: o.recordingId,
        state: o.state,
        capturedMs: o.capturedMs,
      };
    case 'not_in_progress':
    case 'failed':
      return { ...base, outcome: o.outcome };
    case 'refused': {
      const refusal = REFUSALS.find((x) => x === o.refusal);
      return refusal ? { ...base, outcome: 'refused', refusal } : { ...base, outcome: 'refused' };
    }
    default:
      return invalid('unknown control outcome');
  }
}
