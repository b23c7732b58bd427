/**
 * Transcription is optional and pluggable: an engine the operator installs with its model (nothing is
 * downloaded at run time). Ecoute writes one channel as a 16-bit 8 kHz mono WAV, the engine returns text.
 * Transcripts are redacted (cards, phones, e-mails, IBANs: R-MIN-1) and stored as analysis documents of
 * kind `transcript` that inherit the recording's `expiresAt`, so they are deleted with it (R-RET-4).
 * Without an engine, nothing here runs and everything else works.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Repositories } from '../db/index.ts';
import { fail } from '../errors.ts';
import { redactPersonalData, type FindingKind } from '../evaluation/comment.scanner.ts';
import { writeWav } from '../media/wav.ts';
import { readStereoPcm, type AudioVault } from './audio.read.ts';
import { ANALYTICS_PURPOSES, SYSTEM_AUTHOR } from './analytics.job.ts';
import { AnalyticsErrors } from './errors.ts';

export interface TranscriptionEngine {
  /** Text of the speech in `wavPath` (PCM16, 8 kHz, mono). */
  transcribe(wavPath: string): Promise<string>;
}

export interface CommandLineEngineOptions {
  /** Absolute path of the executable (e.g. a whisper.cpp or vosk wrapper script). */
  readonly executable: string;
  /** Arguments; `{wav}` is replaced by the input file's path. Default `['{wav}']`. */
  readonly args?: readonly string[];
  /** Default 120 s. */
  readonly timeoutMs?: number;
}

/** Runs a configured executable on the WAV and reads the transcript on its standard output. */
export class CommandLineEngine implements TranscriptionEngine {
  readonly #o: CommandLineEngineOptions;

  constructor(o: CommandLineEngineOptions) {
    this.#o = o;
  }

  transcribe(wavPath: string): Promise<string> {
    const args = (this.#o.args ?? ['{wav}']).map((a) => a.replaceAll('{wav}', wavPath));
    return new Promise((resolve, reject) => {
      execFile(
        this.#o.executable,
        args,
        { timeout: this.#o.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, env: {} },
        (err, stdout) => {
          // The engine's stderr may quote the audio's words: it is neither logged nor kept.
          if (err) reject(fail(AnalyticsErrors.ENGINE_FAILED, 'transcription engine failed', {}, err));
          else resolve(stdout.trim());
        },
      );
    });
  }
}

export const TRANSCRIPT_KIND = 'transcript';

export interface TranscriptContent {
  readonly channels: readonly { readonly role: 'agent' | 'customer'; readonly text: string }[];
  /** How many of each kind were redacted (never the values). */
  readonly redacted: Partial<Record<FindingKind, number>>;
}

export interface TranscriptionDeps {
  readonly db: Pick<Repositories, 'recordings' | 'analysis'>;
  readonly vault: AudioVault;
  readonly clock: Clock;
  /** Absent: transcription is off. */
  readonly engine: TranscriptionEngine | undefined;
}

/** Transcribes both channels of a sealed recording; returns the document id. */
export async function transcribeRecording(d: TranscriptionDeps, recordingId: string): Promise<string> {
  if (!d.engine) throw fail(AnalyticsErrors.NO_ENGINE);
  const rec = await d.db.recordings.get(recordingId);
  if (!rec || rec.state !== 'sealed' || !rec.agentId || rec.expiresAt === undefined)
    throw fail(AnalyticsErrors.NOT_ANALYSABLE, 'recording not sealed', { recordingId });
  if (!rec.purposes.some((p) => ANALYTICS_PURPOSES.includes(p)))
    throw fail(AnalyticsErrors.NOT_ANALYSABLE, 'no purpose that transcription serves', { recordingId });
  const pcm = await readStereoPcm(d.vault, recordingId);
  const dir = await mkdtemp(join(tmpdir(), 'ecoute-stt-'));
  const redacted: Partial<Record<FindingKind, number>> = {};
  const channels: { role: 'agent' | 'customer'; text: string }[] = [];
  try {
    for (const [c, role] of [
      [0, 'agent'],
      [1, 'customer'],
    ] as const) {
      const mono = new Int16Array(pcm.length / 2);
      for (let i = 0; i < mono.length; i++) mono[i] = pcm[i * 2 + c] as number;
      const path = join(dir, `${role}.wav`);
      await writeFile(path, writeWav({ format: 'pcm16', channels: 1, sampleRate: 8000, data: mono }));
      const r = redactPersonalData(await d.engine.transcribe(path));
      for (const f of r.findings) redacted[f.kind] = (redacted[f.kind] ?? 0) + 1;
      channels.push({ role, text: r.text });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  for (const old of await d.db.analysis.forRecording(recordingId))
    if (old.kind === TRANSCRIPT_KIND) await d.db.analysis.delete(old.id);
  const doc = await d.db.analysis.insert({
    recordingId,
    kind: TRANSCRIPT_KIND,
    agentId: rec.agentId,
    evaluatorId: SYSTEM_AUTHOR,
    content: { channels, redacted } satisfies TranscriptContent,
    // Inherits the recording's retention: deleted with it, never kept longer.
    expiresAt: rec.expiresAt,
  });
  return doc.id;
}
