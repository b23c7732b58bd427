/**
 * Classic libpcap files (not pcapng): a reader for UDP datagrams (Ethernet or Linux cooked captures,
 * IPv4) and a writer of Ethernet/IPv4/UDP/RTP frames to 127.0.0.1, in the shape sipp's play_pcap_audio
 * replays (ports P, P+2, … map to the SRS's m= ports; PROTOCOLS.md C.2).
 */
import { writeRtpHeader } from '../../src/media/rtp.parser.ts';
import { writeTelephoneEvent } from '../../src/media/telephone-event.ts';

export interface PcapUdp {
  /** Capture time in microseconds. */
  readonly timeUs: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

export function readPcap(file: Uint8Array): PcapUdp[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = v.getUint32(0, false);
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  if (!le && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a classic pcap file');
  const linkType = v.getUint32(20, le);
  const out: PcapUdp[] = [];
  for (let p = 24; p + 16 <= file.length;) {
    const sec = v.getUint32(p, le);
    const frac = v.getUint32(p + 4, le);
    const incl = v.getUint32(p + 8, le);
    const frame = file.subarray(p + 16, p + 16 + incl);
    p += 16 + incl;
    let ip: number;
    if (linkType === 1) ip = 14;
    else if (linkType === 113) ip = 16;
    else if (linkType === 101) ip = 0;
    else continue;
    if (linkType === 1 && ((frame[12]! << 8) | frame[13]!) !== 0x0800) continue;
    if (frame[ip]! >> 4 !== 4 || frame[ip + 9] !== 17) continue;
    const udp = ip + (frame[ip]! & 0x0f) * 4;
    const fv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const len = fv.getUint16(udp + 4, false);
    out.push({
      timeUs: sec * 1e6 + (nanos ? Math.floor(frac / 1000) : frac),
      srcPort: fv.getUint16(udp, false),
      dstPort: fv.getUint16(udp + 2, false),
      payload: frame.slice(udp + 8, udp + len),
    });
  }
  return out;
}

export interface RtpPcapStream {
  readonly dstPort: number;
  /** One RTP payload per packet. */
  readonly payloads: readonly Uint8Array[];
  readonly pt: number;
  readonly ptimeMs: number;
  readonly ssrc: number;
  /** RTP clock units per packet; default payload length (G.711: one byte per sample). */
  readonly tsStep?: number;
  readonly srcPort?: number;
  /**
   * RFC 4733 events: packets [fromPacket, fromPacket + packets) carry the event instead of audio, as SRCs
   * do while a key is held (one timestamp for the whole event, growing duration, the last one with E set).
   */
  readonly telephoneEvent?: {
    readonly pt: number;
    readonly event: number;
    readonly fromPacket: number;
    readonly packets: number;
  };
  /** Packets left out of the capture (a loss burst): their sequence numbers are skipped. */
  readonly drop?: (index: number) => boolean;
}

function eventPayload(ev: NonNullable<RtpPcapStream['telephoneEvent']>, i: number, step: number): Uint8Array {
  const k = i - ev.fromPacket;
  const out = new Uint8Array(4);
  writeTelephoneEvent(out, 0, {
    event: ev.event,
    end: k === ev.packets - 1,
    volume: 10,
    duration: (k + 1) * step,
  });
  return out;
}

/** Writes the streams interleaved by send time, as Ethernet/IPv4/UDP frames from and to 127.0.0.1. */
export function writeRtpPcap(streams: readonly RtpPcapStream[], startUs = 1_700_000_000_000_000): Uint8Array {
  const frames: { t: number; bytes: Uint8Array }[] = [];
  for (const s of streams) {
    let ts = (s.ssrc * 7) >>> 0;
    let eventTs = ts;
    const ev = s.telephoneEvent;
    s.payloads.forEach((audio, i) => {
      const step = s.tsStep ?? audio.length;
      const inEvent = ev !== undefined && i >= ev.fromPacket && i < ev.fromPacket + ev.packets;
      if (inEvent && i === ev.fromPacket) eventTs = ts;
      const payload = inEvent ? eventPayload(ev, i, step) : audio;
      ts = (ts + step) >>> 0;
      if (s.drop?.(i)) return;
      const rtp = new Uint8Array(12 + payload.length);
      writeRtpHeader(rtp, {
        payloadType: inEvent ? ev.pt : s.pt,
        sequence: (1000 + i) & 0xffff,
        timestamp: inEvent ? eventTs : (ts - step) >>> 0,
        ssrc: s.ssrc,
        marker: i === 0 || (inEvent && i === ev.fromPacket),
      });
      rtp.set(payload, 12);
      frames.push({
        t: startUs + i * s.ptimeMs * 1000,
        bytes: udpFrame(s.srcPort ?? s.dstPort + 10000, s.dstPort, rtp),
      });
    });
  }
  frames.sort((a, b) => a.t - b.t);
  const size = 24 + frames.reduce((n, f) => n + 16 + f.bytes.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let p = 24;
  for (const f of frames) {
    v.setUint32(p, Math.floor(f.t / 1e6), true);
    v.setUint32(p + 4, f.t % 1e6, true);
    v.setUint32(p + 8, f.bytes.length, true);
    v.setUint32(p + 12, f.bytes.length, true);
    out.set(f.bytes, p + 16);
    p += 16 + f.bytes.length;
  }
  return out;
}

function udpFrame(src: number, dst: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload.length);
  const v = new DataView(f.buffer);
  v.setUint16(12, 0x0800);
  const ip = 14;
  f[ip] = 0x45;
  v.setUint16(ip + 2, 20 + 8 + payload.length);
  f[ip + 8] = 64;
  f[ip + 9] = 17;
  f.set([127, 0, 0, 1], ip + 12);
  f.set([127, 0, 0, 1], ip + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += v.getUint16(ip + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(ip + 10, ~sum & 0xffff);
  const udp = ip + 20;
  v.setUint16(udp, src);
  v.setUint16(udp + 2, dst);
  v.setUint16(udp + 4, 8 + payload.length);
  f.set(payload, udp + 8); // UDP checksum 0: optional over IPv4 (RFC 768)
  return f;
}
