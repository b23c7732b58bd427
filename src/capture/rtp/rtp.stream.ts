import { newRtpHeader, RtpParse, tryParseRtp } from '../../media/rtp.parser.ts';
import { eventDigit, parseTelephoneEvent, type TelephoneEvent } from '../../media/telephone-event.ts';
import type { RtpCodec, RtpStreamSpec, RtpStreamStats } from './rtp.types.ts';

/** Where a stream's decoded media goes: the call's pipeline, at a timeline sample index. */
export interface StreamOutput {
  audio(law: 'pcmu' | 'pcma', buf: Uint8Array, offset: number, length: number, index: number): void;
  /** An RFC 4733 digit for the objection check only (R-PCI-2: never stored). */
  digit(digit: string, index: number): void;
  /** The timeline index of wall-clock time `nowMs` (anchors a stream's first packet). */
  indexAt(nowMs: number): number;
}

const SLOTS = 64;
/** RFC 3550 A.1: a forward jump in sequence numbers under this is an outage; above it, a restarted sender. */
const MAX_DROPOUT = 3000;

interface Slot {
  buf: Uint8Array | undefined;
  seq: number;
  ts: number;
  pt: number;
  off: number;
  len: number;
  at: number;
}

/**
 * One received RTP stream (one m= line): SSRC lock, a small jitter buffer that reorders by sequence
 * number, and the mapping of RTP timestamps to the call timeline so gaps stay gaps (the pipeline fills
 * them with silence). Any packet time works: the position comes from the timestamp, the length from the
 * payload. Per packet it allocates nothing: slots keep a reference to the datagram buffer.
 */
export class RtpStreamReceiver {
  readonly stats: RtpStreamStats;
  readonly #codecs = new Map<number, RtpCodec>();
  readonly #h = newRtpHeader();
  readonly #ev: TelephoneEvent = { event: 0, end: false, volume: 0, duration: 0 };
  readonly #slots: Slot[] = Array.from({ length: SLOTS }, () => ({
    buf: undefined,
    seq: 0,
    ts: 0,
    pt: 0,
    off: 0,
    len: 0,
    at: 0,
  }));
  #buffered = 0;
  /** Sequence numbers last played out, by slot, to tell a duplicate from a late packet. */
  readonly #played = new Int32Array(SLOTS).fill(-1);
  /** False until the first packets have waited a little, so a reordered start is not counted late. */
  #primed = false;
  #ssrc: number | undefined;
  #lastLockedAt = 0;
  #expected = -1;
  #anchorIndex = 0;
  #anchorTs = 0;
  #anchored = false;
  #lastEventTs = -1;
  /** RTP timestamp of the last packet played out. */
  #lastTs = 0;

  constructor(
    spec: RtpStreamSpec,
    private readonly out: StreamOutput,
    private readonly jitterMs = 60,
    private readonly relockMs = 1000,
  ) {
    for (const p of spec.payloadTypes) this.#codecs.set(p.pt, p.codec);
    this.stats = {
      label: spec.label,
      received: 0,
      lost: 0,
      late: 0,
      duplicates: 0,
      strays: 0,
      events: 0,
      relocks: 0,
    };
  }

  onPacket(buf: Uint8Array, nowMs: number, offset = 0, length = buf.length - offset): void {
    const h = this.#h;
    if (tryParseRtp(buf, h, offset, length) !== RtpParse.OK) {
      this.stats.strays++;
      return;
    }
    if (this.#ssrc === undefined) this.#lock(h.ssrc, nowMs);
    else if (h.ssrc !== this.#ssrc) {
      // SBCs re-INVITE and switch sources: a new SSRC wins only once the locked one has gone quiet.
      if (nowMs - this.#lastLockedAt <= this.relockMs) {
        this.stats.strays++;
        return;
      }
      this.flush();
      this.#lock(h.ssrc, nowMs);
      this.stats.relocks++;
    }
    this.#lastLockedAt = nowMs;
    const codec = this.#codecs.get(h.payloadType);
    if (codec === 'telephone-event') {
      this.#event(buf, h.payloadOffset, h.payloadLength, h.timestamp, nowMs);
      // RFC 4733 packets use the audio's sequence numbers: held in their place (no audio), they keep
      // a digit from reading as a gap of lost packets when the audio resumes after it.
      this.#insert(buf, h.sequence, h.timestamp, h.payloadType, h.payloadOffset, 0, nowMs, true);
      return;
    }
    if (codec !== 'PCMU' && codec !== 'PCMA') {
      this.stats.strays++;
      return;
    }
    this.#insert(buf, h.sequence, h.timestamp, h.payloadType, h.payloadOffset, h.payloadLength, nowMs);
  }

  /** Releases packets that waited longer than the jitter window (called on a timer). */
  tick(nowMs: number): void {
    while (this.#buffered > 0) {
      const oldest = this.#oldestArrival();
      if (nowMs - oldest < this.jitterMs) return;
      this.#primed = true;
      this.#skipGap();
      this.#drainInOrder();
    }
  }

  /** Releases everything buffered (call end). */
  flush(): void {
    this.#primed = true;
    this.#drainAll();
  }

  #lock(ssrc: number, nowMs: number): void {
    this.#ssrc = ssrc;
    this.#expected = -1;
    this.#primed = false;
    this.#played.fill(-1);
    this.#anchored = false;
    this.#lastEventTs = -1;
    this.#lastLockedAt = nowMs;
  }

  #event(buf: Uint8Array, off: number, len: number, ts: number, nowMs: number): void {
    this.stats.events++;
    if (len < 4) return;
    parseTelephoneEvent(buf, off, len, this.#ev);
    // RFC 4733 §2.5.1.3: one event keeps its timestamp across updates and the three end packets.
    if (ts === this.#lastEventTs) return;
    this.#lastEventTs = ts;
    const digit = eventDigit(this.#ev.event);
    if (digit !== undefined) this.out.digit(digit, this.#indexOf(ts, nowMs));
  }

  #indexOf(ts: number, nowMs: number): number {
    if (!this.#anchored) {
      this.#anchored = true;
      this.#anchorTs = ts;
      this.#anchorIndex = this.out.indexAt(nowMs);
    }
    return this.#anchorIndex + ((ts - this.#anchorTs) | 0);
  }

  /** Places a packet in the buffer; an `event` (RFC 4733) takes its place but counts in no audio stat. */
  #insert(
    buf: Uint8Array,
    seq: number,
    ts: number,
    pt: number,
    off: number,
    len: number,
    at: number,
    event = false,
  ): void {
    if (this.#expected < 0) this.#expected = seq;
    const d = ((seq - this.#expected + 0x8000) & 0xffff) - 0x8000;
    if (d < 0 && !this.#primed && d > -SLOTS) {
      this.#expected = seq; // the stream started with a reordered packet
    } else if (d < 0) {
      if (event) return;
      if (this.#played[seq & (SLOTS - 1)] === seq) this.stats.duplicates++;
      else this.stats.late++;
      return;
    }
    if (d >= SLOTS) {
      // A jump beyond the buffer (a long outage or a restarted sender): play out what we hold, restart.
      this.#drainAll();
      const missing = (seq - this.#expected) & 0xffff;
      if (missing < MAX_DROPOUT) this.stats.lost += missing;
      this.#expected = seq;
    }
    const slot = this.#slots[seq & (SLOTS - 1)] as Slot;
    if (slot.buf !== undefined) {
      if (!event) this.stats.duplicates++;
      return;
    }
    slot.buf = buf;
    slot.seq = seq;
    slot.ts = ts;
    slot.pt = pt;
    slot.off = off;
    slot.len = len;
    slot.at = at;
    this.#buffered++;
    if (!event) this.stats.received++;
    this.#drainInOrder();
    // A gap is given up when the packets behind it span the jitter window in media time, or (tick)
    // when they have waited that long in wall-clock time: whichever comes first.
    while (this.#buffered > 0 && this.#primed && ((ts - this.#lastTs) | 0) > this.jitterMs * 8) {
      this.#skipGap();
      this.#drainInOrder();
    }
    if (this.#buffered > 0 && at - this.#oldestArrival() >= this.jitterMs) this.tick(at);
  }

  #drainInOrder(): void {
    if (!this.#primed) {
      if (this.#buffered < 3) return;
      this.#primed = true;
    }
    for (;;) {
      const slot = this.#slots[this.#expected & (SLOTS - 1)] as Slot;
      if (slot.buf === undefined || slot.seq !== this.#expected) return;
      this.#release(slot);
      this.#expected = (this.#expected + 1) & 0xffff;
    }
  }

  #skipGap(): void {
    while (this.#buffered > 0) {
      const slot = this.#slots[this.#expected & (SLOTS - 1)] as Slot;
      if (slot.buf !== undefined) return;
      this.stats.lost++;
      this.#expected = (this.#expected + 1) & 0xffff;
    }
  }

  #drainAll(): void {
    while (this.#buffered > 0) {
      this.#skipGap();
      this.#drainInOrder();
    }
  }

  #oldestArrival(): number {
    let oldest = Infinity;
    for (const s of this.#slots) if (s.buf !== undefined && s.at < oldest) oldest = s.at;
    return oldest;
  }

  #release(slot: Slot): void {
    const codec = this.#codecs.get(slot.pt);
    const buf = slot.buf as Uint8Array;
    slot.buf = undefined;
    this.#played[slot.seq & (SLOTS - 1)] = slot.seq;
    this.#lastTs = slot.ts;
    this.#buffered--;
    if (codec === 'telephone-event') return; // its digit went to the objection check on arrival
    const law = codec === 'PCMA' ? 'pcma' : 'pcmu';
    this.out.audio(law, buf, slot.off, slot.len, this.#indexOf(slot.ts, slot.at));
  }
}
