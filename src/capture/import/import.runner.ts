/**
 * `ecoute import`: finished PBX recordings (WAV + a CSV/JSON of call facts) through the same capture
 * port as live calls, so the same policy decision applies (a call that would not have been recorded is
 * not imported, R-PUR-3/4, R-MIN-4) and retention counts from the call's date (a file already past it is
 * refused, R-RET-1).
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { fail, isEcouteError } from '../../errors.ts';
import { AGENT, CUSTOMER, type CaptureSink } from '../capture.port.ts';
import { CaptureErrors } from '../errors.ts';
import { factsFromParameters, parseInstant } from '../ws/facts.params.ts';
import { parseCsv } from './csv.ts';
import { ImportErrors } from './errors.ts';
import { parseMapping, type Mapping, type MappedField } from './import.mapping.ts';
import { readWav, type WavAudio } from './wav.reader.ts';

export interface ImportOptions {
  /** Directory holding the WAV files; file names in the facts are relative to it. */
  readonly dir: string;
  readonly mappingFile: string;
  readonly sink: CaptureSink;
  /** Called after each row with the rows done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  readonly total: number;
  readonly imported: number;
  /** The policy decision said no: nothing stored (R-MIN-4). */
  readonly notRecorded: number;
  /** Already past the retention of the policy that would record it (R-RET-1). */
  readonly expired: number;
  readonly failed: readonly {
    readonly row: number;
    readonly file: string;
    readonly code: string;
    readonly message: string;
  }[];
  /** Audio imported, ms. */
  readonly importedMs: number;
}

/**
 * Audio is pushed in 20 ms frames, channels alternating, as a live call arrives: the recorder's pipeline
 * aligns channels within a bounded window, so a whole second on one channel ahead of the other is not kept.
 */
const BLOCK = 160;

export async function importRecordings(o: ImportOptions): Promise<ImportSummary> {
  const mappingText = await readFile(o.mappingFile, 'utf8').catch((e: unknown) => {
    throw fail(ImportErrors.MAPPING_INVALID, `cannot read ${o.mappingFile}`, { file: o.mappingFile }, e);
  });
  const mapping = parseMapping(mappingText, o.mappingFile);
  const rows = await readFacts(resolve(dirname(o.mappingFile), mapping.facts));
  const root = resolve(o.dir);
  let imported = 0;
  let notRecorded = 0;
  let expired = 0;
  let importedMs = 0;
  const failed: ImportSummary['failed'][number][] = [];
  for (const [i, row] of rows.entries()) {
    const value = (f: MappedField) => {
      const column = mapping.columns[f];
      const v = column !== undefined ? row[column] : undefined;
      return v !== undefined && v !== '' ? v : mapping.values[f];
    };
    const file = value('file') ?? '';
    try {
      const outcome = await importOne(o.sink, mapping, root, file, value, i + 2);
      if (outcome === 'not-recorded') notRecorded++;
      else {
        imported++;
        importedMs += outcome;
      }
    } catch (e) {
      if (isEcouteError(e, CaptureErrors.EXPIRED)) expired++;
      else if (isEcouteError(e)) failed.push({ row: i + 2, file, code: e.code, message: e.message });
      else throw e;
    }
    o.onProgress?.(i + 1, rows.length);
  }
  return { total: rows.length, imported, notRecorded, expired, failed, importedMs };
}

async function importOne(
  sink: CaptureSink,
  mapping: Mapping,
  root: string,
  file: string,
  value: (f: MappedField) => string | undefined,
  rowNumber: number,
): Promise<number | 'not-recorded'> {
  const bad = (what: string) =>
    fail(ImportErrors.FACTS_INVALID, `row ${rowNumber}: ${what}`, { row: rowNumber });
  const path = resolve(root, file);
  if (!file || !path.startsWith(root + sep)) throw bad('file is empty or outside the import directory');
  const startedText = value('startedAt') ?? '';
  const startedAt = parseInstant(withOffset(startedText, mapping.utcOffset));
  if (Number.isNaN(startedAt)) throw bad(`startedAt "${startedText.slice(0, 30)}" is not a date`);
  const params: Record<string, string> = {};
  for (const f of Object.keys({ ...mapping.columns, ...mapping.values }) as MappedField[]) {
    const v = value(f);
    if (v !== undefined && f !== 'file' && f !== 'startedAt')
      params[f] = f === 'noticeEndedAt' ? withOffset(v, mapping.utcOffset) : v;
  }
  const facts = factsFromParameters(params, { startedAt });
  if (!facts.ok) throw bad(facts.error.message);
  const bytes = await readFile(path).catch((e: unknown) => {
    throw fail(ImportErrors.WAV_INVALID, `${file}: cannot read`, { file }, e);
  });
  const audio = readWav(bytes, file); // read before deciding: a broken file is reported, not half-imported
  const handle = await sink.start(facts.facts, { name: 'import', ids: { file } });
  if (!handle) return 'not-recorded';
  try {
    pushAll(audio, mapping, (c, s) => handle.push(c, s));
    await handle.end('completed');
  } catch (e) {
    await handle.end('error');
    throw e;
  }
  return audio.durationMs;
}

function pushAll(audio: WavAudio, mapping: Mapping, push: (c: 0 | 1, s: Int16Array) => void): void {
  const [first, second] = audio.planes;
  if (!first) return;
  for (let at = 0; at < first.length; at += BLOCK) {
    const a = first.subarray(at, at + BLOCK);
    if (second) {
      const b = second.subarray(at, at + BLOCK);
      push(AGENT, mapping.agentChannel === 0 ? a : b);
      push(CUSTOMER, mapping.agentChannel === 0 ? b : a);
    } else {
      if (mapping.mono !== 'customer') push(AGENT, a);
      if (mapping.mono !== 'agent') push(CUSTOMER, a);
    }
  }
}

/** "2026-10-01 14:03:00" (no zone) gets the mapping's offset; ISO with a zone and epoch ms pass through. */
function withOffset(text: string, offset: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(text.trim());
  return m ? `${m[1]}T${m[2]}${offset}` : text.trim();
}

async function readFacts(path: string): Promise<Record<string, string>[]> {
  const text = await readFile(path, 'utf8').catch((e: unknown) => {
    throw fail(ImportErrors.FACTS_INVALID, `cannot read ${path}`, { file: path }, e);
  });
  if (/\.csv$/i.test(path)) return parseCsv(text).rows;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail(ImportErrors.FACTS_INVALID, `${path}: not JSON`, { file: path }, e);
  }
  if (!Array.isArray(json) || !json.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) {
    throw fail(ImportErrors.FACTS_INVALID, `${path}: expected a JSON array of objects`, { file: path });
  }
  return (json as Record<string, unknown>[]).map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v),
      ]),
    ),
  );
}
