/**
 * Playback as WAV: the vault's reader presents stereo µ-law at 8 kHz ('pcmu/8000/2', agent left, customer
 * right; decoded on the fly from Opus for recordings stored as Opus, the same bytes for any range); it is
 * served behind a WAVE_FORMAT_MULAW header, so a byte range of the file maps onto a byte range of the
 * reader and time-to-first-byte does not depend on the recording's length.
 * The file carries the recording id in a LIST/INFO chunk (ICMT) so a downloaded copy says what it is.
 */

/** Plaintext audio of one recording, read by byte range (the vault's reader has this shape). */
export interface AudioReader {
  /** Bytes of interleaved stereo µ-law. */
  readonly size: number;
  read(start: number, endExclusive: number): Promise<Uint8Array>;
  /** Forgets the data key once the request is served. */
  close?(): void;
}

/** The port the vault adapter implements for the API. */
export interface AudioSource {
  open(recordingId: string): Promise<AudioReader>;
}

const WAVE_FORMAT_MULAW = 7;

function infoChunk(recordingId: string): Buffer {
  const text = Buffer.from(`ecoute recording ${recordingId}\0`, 'ascii');
  const padded = text.length % 2 ? Buffer.concat([text, Buffer.alloc(1)]) : text;
  const sub = Buffer.alloc(8);
  sub.write('ICMT', 0, 'ascii');
  sub.writeUInt32LE(text.length, 4);
  const head = Buffer.alloc(12);
  head.write('LIST', 0, 'ascii');
  head.writeUInt32LE(4 + 8 + padded.length, 4);
  head.write('INFO', 8, 'ascii');
  return Buffer.concat([head, sub, padded]);
}

/** The WAV header (RIFF, fmt, fact, LIST/INFO, data header) for `dataBytes` of stereo µ-law. */
export function wavHeader(recordingId: string, dataBytes: number): Buffer {
  const fmt = Buffer.alloc(8 + 18);
  fmt.write('fmt ', 0, 'ascii');
  fmt.writeUInt32LE(18, 4);
  fmt.writeUInt16LE(WAVE_FORMAT_MULAW, 8);
  fmt.writeUInt16LE(2, 10); // channels: agent, customer
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(16000, 16); // byte rate
  fmt.writeUInt16LE(2, 20); // block align
  fmt.writeUInt16LE(8, 22); // bits per sample
  fmt.writeUInt16LE(0, 24); // cbSize
  const fact = Buffer.alloc(12);
  fact.write('fact', 0, 'ascii');
  fact.writeUInt32LE(4, 4);
  fact.writeUInt32LE(Math.floor(dataBytes / 2), 8);
  const info = infoChunk(recordingId);
  const data = Buffer.alloc(8);
  data.write('data', 0, 'ascii');
  data.writeUInt32LE(dataBytes, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(4 + fmt.length + fact.length + info.length + data.length + dataBytes, 4);
  riff.write('WAVE', 8, 'ascii');
  return Buffer.concat([riff, fmt, fact, info, data]);
}

export type ByteRange = { readonly start: number; readonly end: number } | 'unsatisfiable' | undefined;

/** RFC 9110 §14.1.2: one `bytes=` range (multi-range requests are answered with the first range). */
export function parseRange(header: string | undefined, total: number): ByteRange {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'unsatisfiable';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, total - Number(m[2]));
    end = total - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? total - 1 : Math.min(Number(m[2]), total - 1);
  }
  if (start >= total || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Bytes [start, end] inclusive of the WAV file made of `header` followed by the reader's plaintext. */
export async function wavSlice(
  header: Buffer,
  reader: AudioReader,
  start: number,
  end: number,
): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  if (start < header.length) parts.push(header.subarray(start, Math.min(end + 1, header.length)));
  const dataStart = Math.max(0, start - header.length);
  const dataEnd = end + 1 - header.length;
  if (dataEnd > dataStart) parts.push(await reader.read(dataStart, dataEnd));
  return Buffer.concat(parts);
}
