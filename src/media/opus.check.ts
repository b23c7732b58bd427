/**
 * Structural check of a stored indexed Ogg Opus stream (opus.indexed.ts), for `vault verify`: every page's
 * CRC, sequence and serial, the headers Ecoute writes, block starts against the index, packet counts and
 * framing, granule positions and the end trimming. Decodes no audio. CPU-only; bytes come from `read`.
 */
import { fail } from '../errors.ts';
import { MediaErrors } from './errors.ts';
import { FRAMES_PER_BLOCK, framesFor, type OpusFooter } from './opus.indexed.ts';
import { OGG_BOS, OGG_EOS, pagesOf, type OggPage } from './ogg.ts';
import { FRAME_SAMPLES, GRANULE_PER_SAMPLE, OPUS_RATE, parseOpusHead, splitStreams } from './opus.ts';

/** Blocks read per step. */
const STEP = 64;

export async function checkIndexedOpus(
  read: (start: number, endExclusive: number) => Promise<Buffer>,
  footer: OpusFooter,
  index: readonly number[],
): Promise<void> {
  const bad = (why: string, context: Record<string, unknown> = {}) =>
    fail(MediaErrors.OPUS_INDEX, `stored Opus stream: ${why}`, context);
  const first = index[0] ?? footer.oggLength;
  const heads = [...pagesOf(await read(0, first))];
  const [head, tags] = heads;
  if (heads.length !== 2 || !head || !tags) throw bad('expected OpusHead and OpusTags pages');
  if (head.headerType !== OGG_BOS || head.packets.length !== 1 || tags.packets.length !== 1)
    throw bad('header pages');
  const h = parseOpusHead(head.packets[0] as Buffer);
  if (
    h.channels !== 2 ||
    h.family !== 1 ||
    h.streams !== 2 ||
    h.coupled !== 0 ||
    h.mapping.join() !== '0,1' ||
    h.inputRate !== OPUS_RATE ||
    h.preSkip !== footer.delay * GRANULE_PER_SAMPLE
  )
    throw bad('OpusHead is not two uncoupled streams with the footer pre-skip');
  if ((tags.packets[0] as Buffer).toString('latin1', 0, 8) !== 'OpusTags') throw bad('OpusTags');

  const serial = head.serial;
  const frames = framesFor(footer.samples, footer.delay);
  let sequence = 2;
  let packets = 0;
  let last: OggPage = tags;
  for (let g = 0; g < index.length; g += STEP) {
    const from = index[g] as number;
    const to = g + STEP < index.length ? (index[g + STEP] as number) : footer.oggLength;
    const buf = await read(from, to);
    let block = g;
    for (const page of pagesOf(buf)) {
      const at = from + page.offset;
      const ctx = { offset: at, sequence: page.sequence };
      if (page.serial !== serial || page.sequence !== sequence++) throw bad('page sequence or serial', ctx);
      const next = index[block + 1];
      if (next !== undefined && at >= next) {
        if (at !== next) throw bad('index entry inside a page', ctx);
        block++;
      }
      if (at === index[block] && packets !== block * FRAMES_PER_BLOCK)
        throw bad('block does not start where the index says', ctx);
      for (const p of page.packets) splitStreams(p);
      packets += page.packets.length;
      if (packets > Math.min(frames, (block + 1) * FRAMES_PER_BLOCK))
        throw bad('too many packets in a block', ctx);
      const end = at + page.length === footer.oggLength;
      if (end !== ((page.headerType & OGG_EOS) !== 0)) throw bad('EOS flag', ctx);
      const granule = end
        ? (footer.delay + footer.samples) * GRANULE_PER_SAMPLE
        : packets * FRAME_SAMPLES * GRANULE_PER_SAMPLE;
      if (page.granule !== granule) throw bad('granule position', ctx);
      last = page;
    }
  }
  if (packets !== frames) throw bad('packet count', { packets, frames });
  if (!(last.headerType & OGG_EOS)) throw bad('no EOS page');
}
