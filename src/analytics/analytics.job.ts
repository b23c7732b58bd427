/**
 * The analytics job: after a recording is sealed, computes its talk analytics from the vault and stores
 * them as an analysis document of kind `talk_analytics` (R-MIN-1: agent id, technical data, figures;
 * R-RET-2: at most 365 days). Only recordings made for a purpose analytics serve are read (never audio
 * outside the recordings' purposes), and paused spans are skipped (R-PCI-1, talk.analytics.ts).
 * Re-running the job replaces the document: the job is idempotent.
 */
import { DAY_MS, type Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import { fail } from '../errors.ts';
import type { JobHandler } from '../jobs/scheduler.ts';
import { readStereoPcm, type AudioVault } from './audio.read.ts';
import { AnalyticsErrors } from './errors.ts';
import { analyseTalk, type AnalyticsOptions, type TalkAnalytics } from './talk.analytics.ts';

export const ANALYTICS_JOB = 'analytics';
export const TALK_ANALYTICS_KIND = 'talk_analytics';
/** The author id of documents computed by the system rather than a person. */
export const SYSTEM_AUTHOR = 'system:analytics';
/** Purposes whose recordings may be analysed (quality work). */
export const ANALYTICS_PURPOSES: readonly string[] = ['evaluation', 'quality', 'training'];

export interface TalkAnalyticsContent {
  /** The call's technical data (R-MIN-1). */
  readonly call: { readonly startedAt: number; readonly durationMs: number | null };
  readonly team: string | null;
  readonly figures: TalkAnalytics;
}

export interface AnalyticsJobDeps {
  readonly db: Pick<Repositories, 'recordings' | 'analysis'>;
  readonly vault: AudioVault;
  readonly clock: Clock;
  /** Default 365, at most 365 (R-RET-2). */
  readonly retentionDays?: number;
  readonly options?: AnalyticsOptions;
}

export function analyticsRetentionMs(days = 365): number {
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw fail(AnalyticsErrors.RETENTION_TOO_LONG, 'analytics retention must be 1..365 days', { days });
  return days * DAY_MS;
}

/** Analyses one recording now; returns the stored document's id. */
export async function analyseRecording(d: AnalyticsJobDeps, recordingId: string): Promise<string> {
  const keepMs = analyticsRetentionMs(d.retentionDays);
  const rec = await d.db.recordings.get(recordingId);
  if (!rec || rec.state !== 'sealed' || !rec.agentId)
    throw fail(AnalyticsErrors.NOT_ANALYSABLE, 'recording not sealed or without agent', { recordingId });
  if (!rec.purposes.some((p) => ANALYTICS_PURPOSES.includes(p)))
    throw fail(AnalyticsErrors.NOT_ANALYSABLE, 'no purpose that analytics serve', { recordingId });
  const pcm = await readStereoPcm(d.vault, recordingId);
  const figures = analyseTalk(pcm, rec.segments, d.options);
  for (const old of await d.db.analysis.forRecording(recordingId))
    if (old.kind === TALK_ANALYTICS_KIND) await d.db.analysis.delete(old.id);
  const content: TalkAnalyticsContent = {
    call: { startedAt: rec.startedAt, durationMs: rec.durationMs ?? null },
    team: rec.team ?? null,
    figures,
  };
  const doc = await d.db.analysis.insert({
    recordingId,
    kind: TALK_ANALYTICS_KIND,
    agentId: rec.agentId,
    evaluatorId: SYSTEM_AUTHOR,
    content,
    expiresAt: d.clock.now() + keepMs,
  });
  return doc.id;
}

/** The scheduler handler (payload `{ recordingId }`); the lead enqueues it when a recording is sealed. */
export function analyticsJob(d: AnalyticsJobDeps): JobHandler {
  return async (payload) => {
    const id = (payload as { recordingId?: unknown } | null)?.recordingId;
    if (typeof id !== 'string') throw fail(AnalyticsErrors.BAD_PAYLOAD);
    await analyseRecording(d, id);
  };
}
