import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeAnnouncement,
  decodeLive,
  encodeAnnouncement,
  encodeBlock,
  encodeClose,
  type LiveCallInfo,
} from './live.wire.ts';
import { testBlock } from './testing.ts';

test('a block crosses the wire with its header and µ-law bytes intact', () => {
  const b = testBlock(7, 800, 1200, -300);
  const m = decodeLive(encodeBlock(b));
  assert.equal(m.kind, 'block');
  if (m.kind !== 'block') return;
  assert.equal(m.block.seq, 7);
  assert.equal(m.block.startSample, 5600);
  assert.equal(m.block.frames, 800);
  assert.deepEqual([...m.block.pcmu], [...b.pcmu]);
  assert.deepEqual([...m.block.pcm], [...b.pcm], 'µ-law values decode to the same PCM');
});

test('R-CAL-2: a close notice carries its reason and rule', () => {
  assert.deepEqual(decodeLive(encodeClose('objection', 'R-CAL-2')), {
    kind: 'close',
    reason: 'objection',
    rule: 'R-CAL-2',
  });
  assert.deepEqual(decodeLive(encodeClose('ended')), { kind: 'close', reason: 'ended' });
});

test('arbitrary bytes never crash the decoders: a typed error or a value', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      for (const decode of [decodeLive, decodeAnnouncement]) {
        try {
          decode(bytes);
        } catch (e) {
          assert.equal((e as { code?: string }).code, 'ECOUTE_CLUSTER_MESSAGE_INVALID');
        }
      }
    }),
  );
});

test('an announcement keeps only the non-personal call facts, whatever the caller passed', () => {
  const call = {
    callId: 'c1',
    recordingId: 'r1',
    nodeId: 'n1',
    team: 't',
    agentId: 'a',
    queue: null,
    direction: 'inbound',
    policyId: 'p',
    purposes: ['quality'],
    liveListening: true,
    startedAt: 1,
    state: 'recording',
    customerNumber: '+33612345678',
  } as LiveCallInfo;
  const text = new TextDecoder().decode(encodeAnnouncement({ v: 1, type: 'started', call }));
  assert.ok(!text.includes('+336'), 'the number never reaches NATS');
  const back = decodeAnnouncement(new TextEncoder().encode(text));
  assert.equal(back.type, 'started');
});
