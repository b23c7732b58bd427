/** Test data: agents, calls and recordings written through the real store and the real vault. */
import type { Db } from '../../../src/db/index.ts';
import type { Vault } from '../../../src/vault/vault.ts';
import { encodeG711 } from '../../../src/media/g711.ts';
import type { Recorder } from '../../../src/capture/recorder.ts';
import type { ActiveCall } from '../../../src/capture/active-call.ts';
import type { StereoBlock } from '../../../src/media/pipeline.types.ts';

const RATE = 8000;

/** Stereo µ-law, agent left and customer right, taking turns; silence where the recording was paused. */
export function conversation(seconds: number, pausedFrom: number, pausedTo: number): Buffer {
  const n = seconds * RATE;
  const pcm = new Int16Array(n * 2);
  for (let i = 0; i < n; i++) {
    const s = i / RATE;
    if (s >= pausedFrom && s < pausedTo) continue; // R-PCI-1: paused audio never reaches storage
    const agentTurn = Math.floor(s) % 2 === 0;
    const tone = (f: number): number => Math.round(8000 * Math.sin((2 * Math.PI * f * i) / RATE));
    pcm[2 * i] = agentTurn ? tone(440) : 0;
    pcm[2 * i + 1] = agentTurn ? 0 : tone(330);
  }
  const out = Buffer.alloc(n * 2);
  encodeG711('pcmu', pcm, out);
  return out;
}

export interface SeededRecording {
  readonly id: string;
  readonly purposes: readonly string[];
  readonly team: string;
  readonly agentId: string;
  readonly startedAt: number;
}

export async function seedAgent(db: Db, id: string, name: string): Promise<void> {
  await db.kysely
    .insertInto('agents')
    .values({
      id,
      displayName: name,
      teamId: null,
      sipAor: null,
      extension: null,
      protectedLine: 0,
      neverRecord: 0,
      noticeVersion: null,
      noticeAckedAt: null,
      createdAt: 0,
      updatedAt: 0,
    })
    .execute();
}

/** One recording with real audio sealed in the vault (8 s, paused from 3 s to 5 s). */
export async function seedPlayable(db: Db, vault: Vault, r: SeededRecording): Promise<void> {
  const audio = conversation(8, 3, 5);
  const w = await vault.openSpool(r.id, { format: 'pcmu/8000/2' });
  w.append(audio);
  const sealed = await w.finish();
  await insertRows(db, [r], { durationMs: 8000, sizeBytes: audio.length, blobKey: sealed.blobKey ?? null });
}

/** Metadata-only recordings for the volume test (10,000 rows, batched). */
export async function seedMany(
  db: Db,
  count: number,
  base: Omit<SeededRecording, 'id' | 'startedAt'>,
): Promise<void> {
  const now = Date.now();
  const batch: SeededRecording[] = [];
  for (let i = 0; i < count; i++) {
    batch.push({ ...base, id: `bulk-${String(i).padStart(5, '0')}`, startedAt: now - (i + 1) * 60_000 });
    if (batch.length === 400 || i === count - 1) {
      await insertRows(db, batch, { durationMs: 60_000 + (i % 300) * 1000, sizeBytes: 0, blobKey: null });
      batch.length = 0;
    }
  }
}

async function insertRows(
  db: Db,
  rows: readonly SeededRecording[],
  extra: { durationMs: number; sizeBytes: number; blobKey: string | null },
): Promise<void> {
  const k = db.kysely;
  await k
    .insertInto('calls')
    .values(
      rows.map((r) => ({
        id: `call-${r.id}`,
        startedAt: r.startedAt,
        endedAt: r.startedAt + extra.durationMs,
        direction: 'inbound',
        queue: 'support',
        agentId: r.agentId,
        team: r.team,
        protocol: 'siprec',
        protocolIds: '{}',
        customerNumberEnc: null,
        customerHash: null,
        noticeVersion: 1,
        noticeEndedAt: r.startedAt,
        decision: null,
      })),
    )
    .execute();
  await k
    .insertInto('recordings')
    .values(
      rows.map((r) => ({
        id: r.id,
        callId: `call-${r.id}`,
        state: 'sealed',
        policyId: 'quality-2026',
        policyVersion: 1,
        purposes: JSON.stringify(r.purposes),
        startedAt: r.startedAt,
        endedAt: r.startedAt + extra.durationMs,
        durationMs: extra.durationMs,
        // Offsets into the recording, as the recorder stores them: the pause of conversation() and a
        // masked DTMF stretch (R-PCI-1, R-PCI-2).
        segments: JSON.stringify([
          { kind: 'paused', startMs: 3000, endMs: 5000 },
          { kind: 'masked', startMs: 6000, endMs: 6400, channel: 1 },
        ]),
        channels: '["agent","customer"]',
        codec: 'pcmu',
        sizeBytes: extra.sizeBytes,
        sha256: null,
        blobKey: extra.blobKey,
        expiresAt: r.startedAt + 183 * 86_400_000,
        audioExpiresAt: null,
        writeOnce: 0,
        legalHoldId: null,
        agentId: r.agentId,
        team: r.team,
        queue: 'support',
        direction: 'inbound',
        customerHash: null,
        createdAt: r.startedAt,
        updatedAt: r.startedAt,
      })),
    )
    .execute();
}

/** An informed agent of the policy's team (R-EMP-2: the employee notice acknowledged). */
export async function seedInformedAgent(
  db: Db,
  id: string,
  name: string,
  team: string,
  noticeVersion: number,
): Promise<void> {
  await db.agents.upsertTeam(team, team);
  await db.agents.upsert({ id, displayName: name, teamId: team });
  await db.agents.ack(id, noticeVersion);
}

/** A call admitted by the real policy engine and opened in the recorder, as a capture adapter does. */
export async function startLiveCall(recorder: Recorder, agentExternalId: string): Promise<ActiveCall> {
  const now = Date.now();
  const input = {
    startedAt: now,
    direction: 'inbound' as const,
    agentExternalId,
    noticePlayed: true,
    noticeVersion: 2,
    noticeEndedAt: now,
    objectionSignalled: false,
    personalCall: false,
    protectedLine: false,
  };
  const adm = await recorder.admit(input);
  if (!adm.decision.record) throw new Error(`live call not admitted: ${adm.decision.reason}`);
  return recorder.open(adm, input, { name: 'twilio', ids: {} });
}

/**
 * A scripted media source (the named stand-in for a capture adapter's clocked RTP): one 100 ms block of
 * stereo tones every 100 ms, agent 440 Hz and customer 330 Hz taking turns each second. Returns stop().
 */
export function feedTones(call: ActiveCall): () => void {
  let seq = 0;
  const frames = 800;
  const timer = setInterval(() => {
    const s = seq++;
    const buffer = new ArrayBuffer(frames * 2 * 3);
    const pcm = new Int16Array(buffer, 0, frames * 2);
    const agentTurn = Math.floor(s / 10) % 2 === 0;
    for (let i = 0; i < frames; i++) {
      const v = Math.round(
        6000 * Math.sin((2 * Math.PI * (agentTurn ? 440 : 330) * (s * frames + i)) / RATE),
      );
      pcm[2 * i + (agentTurn ? 0 : 1)] = v;
    }
    const pcmu = new Uint8Array(buffer, frames * 4, frames * 2);
    encodeG711('pcmu', pcm, pcmu);
    const block: StereoBlock = {
      seq: s,
      startSample: s * frames,
      startMs: s * 100,
      frames,
      channels: 2,
      format: 'pcmu/8000/2',
      buffer,
      pcmu,
      pcm,
      paused: false,
    };
    call.onBlock(block);
  }, 100);
  return () => clearInterval(timer);
}
