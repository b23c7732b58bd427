/**
 * RFC 7865 §5/§6 `datamode partial`: an update carries only what changed (a transfer brings a new
 * participant, an associate-time or disassociate-time). Merged by id into the previous snapshot. Pure.
 */
import type { RsMetadata, RsParticipant } from './metadata.parser.ts';

function mergeById<T extends { readonly id: string }>(
  prev: readonly T[],
  next: readonly T[],
  merge: (a: T, b: T) => T,
): T[] {
  const out = new Map(prev.map((x) => [x.id, x]));
  for (const x of next) {
    const old = out.get(x.id);
    out.set(x.id, old ? merge(old, x) : x);
  }
  return [...out.values()];
}

function mergeParticipant(a: RsParticipant, b: RsParticipant): RsParticipant {
  return {
    id: a.id,
    aor: b.aor ?? a.aor,
    name: b.name ?? a.name,
    // A partial update that names streams replaces the association (RFC 7865 §6.8).
    send: b.send.length > 0 ? b.send : a.send,
    recv: b.recv.length > 0 ? b.recv : a.recv,
    associateTime: b.associateTime ?? a.associateTime,
    disassociateTime: b.disassociateTime ?? a.disassociateTime,
    extensions: b.extensions.length > 0 ? b.extensions : a.extensions,
  };
}

/** Applies an update. A `complete` update replaces the snapshot; a `partial` one is merged by id. */
export function applyPartialUpdate(previous: RsMetadata | undefined, update: RsMetadata): RsMetadata {
  if (!previous || update.datamode === 'complete') return { ...update, datamode: 'complete' };
  return {
    datamode: 'complete',
    sessions: mergeById(previous.sessions, update.sessions, (a, b) => ({
      ...a,
      ...Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)),
    })),
    participants: mergeById(previous.participants, update.participants, mergeParticipant),
    streams: mergeById(previous.streams, update.streams, (a, b) => ({
      id: a.id,
      label: b.label ?? a.label,
      sessionId: b.sessionId ?? a.sessionId,
      mode: b.mode ?? a.mode,
    })),
    groups: mergeById(previous.groups, update.groups, (a, b) => ({
      id: a.id,
      associateTime: b.associateTime ?? a.associateTime,
      extensions: b.extensions.length > 0 ? b.extensions : a.extensions,
    })),
    extensions: update.extensions.length > 0 ? update.extensions : previous.extensions,
  };
}

/** Participants currently in the session: associated and not disassociated (after a transfer). */
export function activeParticipants(meta: RsMetadata): RsParticipant[] {
  return meta.participants.filter((p) => p.disassociateTime === undefined);
}
