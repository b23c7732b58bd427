/**
 * Pure pieces of live listening: which calls a principal may listen to and for which purposes (R-EMP-6,
 * R-MIN-3, the same matrix as playback), the wire format sent to the console, and the close codes that
 * name the rule which ended a session.
 */
import { decide, type AccessObject, type Principal } from '../access/decide.ts';
import type { Purpose } from '../access/roles.ts';
import type { ActiveCallInfo } from '../../capture/active-call.ts';
import { ulawToLinear } from '../../media/g711.ts';

/**
 * A call in progress as the API sees it, on this node or another (src/cluster: the same non-personal
 * facts every node announces).
 */
export interface CallView {
  readonly callId: string;
  readonly recordingId: string;
  readonly team: string | null;
  readonly agentId: string | null;
  readonly queue: string | null;
  readonly direction: string;
  readonly policyId: string | null;
  readonly purposes: readonly string[];
  readonly liveListening: boolean;
  readonly startedAt: number;
  readonly state: 'recording' | 'paused';
}

export function viewOf(info: ActiveCallInfo, state: 'recording' | 'paused'): CallView {
  return {
    callId: info.callId,
    recordingId: info.recordingId,
    team: info.team ?? null,
    agentId: info.agentId ?? null,
    queue: info.queue ?? null,
    direction: info.direction,
    policyId: info.decision.policyId ?? null,
    purposes: info.decision.purposes,
    liveListening: info.decision.liveListening,
    startedAt: info.startedAt,
    state,
  };
}

/** The access facts of a call in progress, as requireAccess needs them. */
export function callObject(call: CallView): AccessObject {
  return {
    type: 'call',
    id: call.callId,
    purposes: call.purposes as readonly Purpose[],
    team: call.team,
    agentId: call.agentId,
    liveListening: call.liveListening,
  };
}

/** The purposes for which `p` could listen to this call now; [] means not listed (R-EMP-6). */
export function listenablePurposes(p: Principal, call: CallView): Purpose[] {
  if (!call.liveListening) return [];
  const object = callObject(call);
  return (call.purposes as Purpose[]).filter(
    (purpose) => decide(p, { action: 'live_listen', object, purpose }).allowed,
  );
}

/** The first (text) message of a listening session; binary frames follow. */
export interface ListenHeader {
  readonly type: 'start';
  readonly callId: string;
  readonly purpose: string;
  /** Signed 16-bit little-endian PCM, interleaved: what WebAudio wants after one Int16→Float32 pass. */
  readonly format: 'pcm_s16le';
  readonly sampleRate: 8000;
  readonly channels: 2;
  /** Channel 0 is the agent, channel 1 the customer. */
  readonly channelMap: readonly ['agent', 'customer'];
  /** Each binary frame holds this much audio (one block of the media pipeline). */
  readonly frameMs: 100;
}

export function listenHeader(callId: string, purpose: string): ListenHeader {
  return {
    type: 'start',
    callId,
    purpose,
    format: 'pcm_s16le',
    sampleRate: 8000,
    channels: 2,
    channelMap: ['agent', 'customer'],
    frameMs: 100,
  };
}

/** Stereo µ-law (as stored) → PCM16 LE, the frame sent to the listener. */
export function pcmuToPcm16le(pcmu: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(pcmu.length * 2);
  for (let i = 0; i < pcmu.length; i++) out.writeInt16LE(ulawToLinear(pcmu[i] as number), i * 2);
  return out;
}

/**
 * WebSocket close codes (4000–4999 are the application's): the reason text starts with the rule id so a
 * console can show why listening stopped.
 */
export const CLOSE = {
  ended: { code: 4000, reason: 'call ended' },
  'R-CAL-2': { code: 4001, reason: 'R-CAL-2: the caller objected; listeners are disconnected' },
  'R-PCI-1': { code: 4002, reason: 'R-PCI-1: recording paused; listeners are disconnected' },
  'R-PCI-3': { code: 4003, reason: 'R-PCI-3: card data captured; the audio is destroyed' },
  'R-EMP-4': { code: 4004, reason: 'R-EMP-4: personal call; recording and listening stopped' },
  revoked: { code: 4005, reason: 'R-EMP-6: live listening revoked' },
  slow: { code: 4008, reason: 'listener too slow: audio is never queued behind a stalled socket' },
} as const;

export function closeFor(reason: string, rule: string | undefined): { code: number; reason: string } {
  if (rule && rule in CLOSE) return CLOSE[rule as keyof typeof CLOSE];
  if (reason === 'paused') return CLOSE['R-PCI-1'];
  if (reason === 'objection') return CLOSE['R-CAL-2'];
  if (reason === 'revoked') return CLOSE.revoked;
  return CLOSE.ended;
}
