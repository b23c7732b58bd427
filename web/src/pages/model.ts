/** The shapes the console reads from the API (see docs/console.md, "routes the console expects"). */

/**
 * A recording's `state` as the API stores it (RECORDING_STATES in src/db/recordings.repo.ts; kept in step,
 * with a label in both catalogues, by test/console-states.test.ts). `failed`: the spool could not be
 * opened, no audio exists.
 */
export const RECORDING_STATES = [
  'recording',
  'paused',
  'interrupted',
  'sealed',
  'objected',
  'shredded',
  'failed',
] as const;
export interface RecordingSummary {
  readonly id: string;
  readonly startedAt: number | string;
  readonly durationMs?: number | null;
  readonly direction?: string;
  readonly queue?: string | null;
  readonly agentId?: string | null;
  readonly agentName?: string | null;
  readonly team?: string | null;
  readonly policyId?: string;
  readonly purposes?: readonly string[];
  readonly state?: string;
  readonly expiresAt?: number | string | null;
  readonly legalHoldId?: string | null;
}

export interface Gap {
  readonly kind: 'paused' | 'masked';
  /** Offsets from the start of the recording, in milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
}

export interface RecordingDetail extends RecordingSummary {
  readonly segments?: readonly unknown[];
}

type RawSegment = Partial<
  Record<'kind' | 'segment' | 'type', string> &
    Record<'startMs' | 'endMs' | 'from' | 'to' | 'start' | 'end' | 'fromMs' | 'toMs', number>
>;

/**
 * Paused (R-PCI-1) and masked (R-PCI-2, DTMF) stretches, as offsets into the recording. Segments are
 * stored either as offsets or as epoch times; epoch times are turned into offsets from `startedAt`.
 */
export function gapsOf(r: RecordingDetail): Gap[] {
  const started = typeof r.startedAt === 'number' ? r.startedAt : Date.parse(r.startedAt);
  const out: Gap[] = [];
  for (const raw of r.segments ?? []) {
    if (!raw || typeof raw !== 'object') continue;
    const s = raw as RawSegment;
    const kind = s.kind ?? s.segment ?? s.type;
    if (kind !== 'paused' && kind !== 'masked' && kind !== 'dtmf') continue;
    let a = s.startMs ?? s.fromMs ?? s.from ?? s.start;
    let b = s.endMs ?? s.toMs ?? s.to ?? s.end;
    if (a === undefined || b === undefined) continue;
    if (Number.isFinite(started) && a > 1e11) {
      a -= started;
      b -= started;
    }
    out.push({ kind: kind === 'paused' ? 'paused' : 'masked', startMs: Math.max(0, a), endMs: b });
  }
  return out;
}
