import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../errors.ts';
import { MediaErrors } from './errors.ts';
import { newRtpHeader, parseRtp, tryParseRtp, RtpParse, rtpCsrc, writeRtpHeader } from './rtp.parser.ts';
import { parseTelephoneEvent, eventDigit } from './telephone-event.ts';
import { readWav, writeWav, wavSamples, channelOf } from './wav.ts';
import { encodeG711 } from './g711.ts';
import { sine } from './tones.ts';
import { readPcap, writeRtpPcap } from '../../test/support/pcap.ts';

test('RTP header: CSRC, extension and padding are skipped to the payload', () => {
  const b = new Uint8Array([
    0xb2,
    0x88,
    0x01,
    0x02,
    0,
    0,
    0x10,
    0,
    0xca,
    0x11,
    0,
    0, // V=2 P X CC=2, M, PT 8
    0,
    0,
    0,
    1,
    0,
    0,
    0,
    2, // two CSRCs
    0xbe,
    0xde,
    0,
    1,
    1,
    2,
    3,
    4, // extension, one word
    9,
    9,
    9,
    0,
    0,
    3, // payload 9 9 9, padding 3
  ]);
  const h = parseRtp(b);
  assert.deepEqual(
    [h.padding, h.extension, h.csrcCount, h.marker, h.payloadType, h.sequence, h.timestamp, h.ssrc >>> 0],
    [true, true, 2, true, 8, 0x102, 0x1000, 0xca110000],
  );
  assert.equal(h.extensionProfile, 0xbede);
  assert.deepEqual([h.payloadOffset, h.payloadLength], [28, 3]);
  assert.equal(rtpCsrc(b, 1), 2);
});

test('RTP header: malformed packets are typed errors, never exceptions on the hot path', () => {
  const h = newRtpHeader();
  assert.equal(tryParseRtp(new Uint8Array(11), h), RtpParse.TOO_SHORT);
  assert.equal(tryParseRtp(new Uint8Array(12), h), RtpParse.VERSION);
  const pad = new Uint8Array(14);
  writeRtpHeader(pad, { payloadType: 0, sequence: 1, timestamp: 1, ssrc: 1 });
  pad[0] = 0xa0;
  pad[13] = 9;
  assert.equal(tryParseRtp(pad, h), RtpParse.PADDING);
  const cc = new Uint8Array(12);
  cc[0] = 0x8f;
  assert.throws(
    () => parseRtp(cc),
    (e) => isEcouteError(e, MediaErrors.RTP_TOO_SHORT),
  );
  // Fuzz: random bytes never throw from tryParseRtp and offsets stay inside the buffer.
  let seed = 7;
  for (let n = 0; n < 5000; n++) {
    const len = (seed = (seed * 1103515245 + 12345) >>> 0) % 64;
    const r = new Uint8Array(len).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    if (tryParseRtp(r, h) === RtpParse.OK)
      assert.ok(h.payloadOffset + h.payloadLength <= len && h.payloadLength >= 0);
  }
});

test('telephone-event payload (RFC 4733 §2.3)', () => {
  const e = parseTelephoneEvent(new Uint8Array([11, 0x8a, 0x03, 0x20]), 0, 4);
  assert.deepEqual(e, { event: 11, end: true, volume: 10, duration: 800 });
  assert.equal(eventDigit(11), '#');
  assert.equal(eventDigit(16), undefined);
  assert.throws(
    () => parseTelephoneEvent(new Uint8Array(3), 0, 3),
    (x) => isEcouteError(x, MediaErrors.TELEPHONE_EVENT),
  );
});

test('WAV round-trips PCM16 stereo, µ-law and A-law', () => {
  const s = sine(440, 100, 8000);
  const stereo = new Int16Array(s.length * 2).map((_, i) => (i % 2 ? -s[i >> 1]! : s[i >> 1]!));
  const w = readWav(writeWav({ format: 'pcm16', channels: 2, sampleRate: 8000, data: stereo }));
  assert.deepEqual([w.format, w.channels, w.sampleRate], ['pcm16', 2, 8000]);
  assert.deepEqual(
    channelOf(wavSamples(w), 2, 1),
    s.map((v) => -v),
  );
  for (const law of ['pcmu', 'pcma'] as const) {
    const bytes = new Uint8Array(s.length);
    encodeG711(law, s, bytes);
    const r = readWav(writeWav({ format: law, channels: 1, sampleRate: 8000, data: bytes }));
    assert.equal(r.format, law);
    assert.deepEqual(r.data, bytes);
    assert.ok(Math.abs(wavSamples(r)[10]! - s[10]!) < 300);
  }
  assert.throws(
    () => readWav(new Uint8Array(20)),
    (e) => isEcouteError(e, MediaErrors.WAV_INVALID),
  );
});

test('pcap writer output reads back as two RTP streams at P and P+2 (for sipp play_pcap_audio)', () => {
  const payloads = Array.from({ length: 5 }, (_, i) => new Uint8Array(160).fill(i));
  const file = writeRtpPcap([
    { dstPort: 6000, payloads, pt: 0, ptimeMs: 20, ssrc: 1 },
    { dstPort: 6002, payloads, pt: 8, ptimeMs: 20, ssrc: 2 },
  ]);
  const pkts = readPcap(file);
  assert.equal(pkts.length, 10);
  assert.deepEqual([...new Set(pkts.map((p) => p.dstPort))].sort(), [6000, 6002]);
  const h = parseRtp(pkts[2]!.payload);
  assert.equal(h.sequence, 1001);
  assert.equal(pkts[2]!.timeUs - pkts[0]!.timeUs, 20_000);
});
