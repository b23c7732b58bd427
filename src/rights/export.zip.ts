/**
 * R-DSR-2: the access export. A ZIP holding, per recording, the audio itself (decrypted, stereo WAV:
 * left = agent, right = customer), its metadata as JSON, a human-readable summary in French and
 * English, the analysis documents, the access-log entries about the person, and a manifest of sha-256
 * sums of every file (also as a `SHA256SUMS` file that `sha256sum -c` checks).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import yazl from 'yazl';
import { decodeG711 } from '../media/g711.ts';
import { writeWav } from '../media/wav.ts';
import type { Recording } from '../db/recordings.repo.ts';
import type { Vault } from '../vault/vault.ts';
import type { Findings } from './dsr.find.ts';
import { callSummary } from './summary.ts';

export interface ExportFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface ExportResult {
  readonly path: string;
  readonly files: readonly ExportFile[];
  /** sha-256 of the ZIP itself, for the DPO's record of the answer. */
  readonly sha256: string;
  readonly bytes: number;
}

export interface ExportInput {
  readonly requestId: string;
  readonly findings: Findings;
  readonly generatedAt: number;
  /** Where to write the ZIP. */
  readonly out: string;
  readonly vault: Pick<Vault, 'openReader'>;
  /** Called after each recording: (done, total); drives the CLI's progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
}

const READ_BLOCK = 1 << 20;

/** Decrypts a sealed µ-law stereo recording into a 16-bit PCM stereo WAV. */
export async function recordingWav(vault: Pick<Vault, 'openReader'>, rec: Recording): Promise<Uint8Array> {
  const reader = await vault.openReader(rec.id);
  try {
    const [codec, rate, channels] = reader.format.split('/');
    const law = codec === 'pcma' ? 'pcma' : 'pcmu';
    const pcm = new Int16Array(reader.size);
    for (let at = 0; at < reader.size; at += READ_BLOCK) {
      const block = await reader.read(at, Math.min(reader.size, at + READ_BLOCK));
      decodeG711(law, block, pcm, at);
    }
    return writeWav({
      format: 'pcm16',
      channels: Number(channels ?? 2),
      sampleRate: Number(rate ?? 8000),
      data: pcm,
    });
  } finally {
    reader.close();
  }
}

const json = (v: unknown): Buffer => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

export function recordingMetadata(rec: Recording) {
  return {
    recordingId: rec.id,
    callId: rec.callId,
    startedAt: new Date(rec.startedAt).toISOString(),
    endedAt: rec.endedAt === undefined ? null : new Date(rec.endedAt).toISOString(),
    durationMs: rec.durationMs ?? null,
    direction: rec.direction,
    queue: rec.queue ?? null,
    agentId: rec.agentId ?? null,
    policy: { id: rec.policyId, version: rec.policyVersion },
    purposes: rec.purposes,
    channels: rec.channels,
    segments: rec.segments,
    expiresAt: rec.expiresAt === undefined ? null : new Date(rec.expiresAt).toISOString(),
    legalHold: rec.legalHoldId !== undefined,
  };
}

export async function buildExport(x: ExportInput): Promise<ExportResult> {
  const zip = new yazl.ZipFile();
  const files: ExportFile[] = [];
  const mtime = new Date(x.generatedAt);
  const add = (path: string, data: Uint8Array): void => {
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    files.push({ path, sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length });
    zip.addBuffer(buf, path, { mtime });
  };
  const sink = createWriteStream(x.out, { mode: 0o600 });
  zip.outputStream.pipe(sink);
  const { recordings, documents, accessLog, calls } = x.findings;
  let done = 0;
  for (const rec of recordings) {
    if (rec.blobKey !== undefined) add(`recordings/${rec.id}.wav`, await recordingWav(x.vault, rec));
    add(`recordings/${rec.id}.json`, json(recordingMetadata(rec)));
    x.onProgress?.(++done, recordings.length);
  }
  for (const d of documents) add(`analysis/${d.id}.json`, json(d));
  add('access-log.json', json(accessLog));
  const docsByRec = (id: string) => documents.filter((d) => d.recordingId === id).length;
  for (const lang of ['fr', 'en'] as const) {
    const lines = recordings.map((r) => callSummary(lang, r, docsByRec(r.id)));
    add(`summary.${lang}.txt`, Buffer.from(summaryText(lang, x, calls.length, lines), 'utf8'));
  }
  const manifest = { requestId: x.requestId, generatedAt: mtime.toISOString(), algorithm: 'sha-256', files };
  const sums = files.map((f) => `${f.sha256}  ${f.path}`).join('\n');
  zip.addBuffer(json(manifest), 'manifest.json', { mtime });
  zip.addBuffer(Buffer.from(`${sums}\n`, 'utf8'), 'SHA256SUMS', { mtime });
  zip.end();
  await once(sink, 'finish');
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const part of createReadStream(x.out)) {
    hash.update(part as Buffer);
    bytes += (part as Buffer).length;
  }
  return { path: x.out, files, sha256: hash.digest('hex'), bytes };
}

function summaryText(lang: 'fr' | 'en', x: ExportInput, calls: number, lines: string[]): string {
  const f = x.findings;
  const head =
    lang === 'fr'
      ? [
          `Réponse à la demande d'accès ${x.requestId}`,
          `Générée le ${new Date(x.generatedAt).toISOString()}`,
          `Appels trouvés : ${calls} ; enregistrements : ${f.recordings.length} ; documents d'analyse : ${f.documents.length} ; entrées du journal d'accès : ${f.accessLog.length}`,
          `Chaque fichier est listé avec son empreinte SHA-256 dans manifest.json et SHA256SUMS.`,
        ]
      : [
          `Answer to access request ${x.requestId}`,
          `Generated on ${new Date(x.generatedAt).toISOString()}`,
          `Calls found: ${calls}; recordings: ${f.recordings.length}; analysis documents: ${f.documents.length}; access-log entries: ${f.accessLog.length}`,
          `Every file is listed with its SHA-256 digest in manifest.json and SHA256SUMS.`,
        ];
  return `${[...head, '', ...lines].join('\n')}\n`;
}
