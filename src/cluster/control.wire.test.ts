import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  controlSubject,
  decodeReply,
  decodeRequest,
  encodeReply,
  encodeRequest,
  type ControlRequest,
} from './control.wire.ts';

const key = randomBytes(32);
const request: ControlRequest = {
  v: 1,
  kind: 'request',
  requestId: 'f4a3c5f2-1b7e-4c4b-9a55-0d5c2b9e6a10',
  callId: '0b8e7f3e-3a52-4a8c-8d1e-2c51a7c1b2f0',
  action: 'pause',
  by: { kind: 'token', id: 'token:7' },
  from: 'api-1.example.net:41:a1b2c3',
  to: 'ingest-2.example.net:97:d4e5f6',
  at: 1_793_000_000_000,
};

test('a signed control request and reply cross the wire intact', () => {
  assert.deepEqual(decodeRequest(key, encodeRequest(key, request)), request);
  const reply = {
    v: 1,
    kind: 'reply',
    requestId: request.requestId,
    from: request.to,
    outcome: 'done',
    callId: request.callId,
    recordingId: 'r1',
    state: 'paused',
    capturedMs: 5200,
  } as const;
  assert.deepEqual(decodeReply(key, encodeReply(key, reply)), reply);
  const refused = {
    v: 1,
    kind: 'reply',
    requestId: 'x',
    from: 'n',
    outcome: 'refused',
    refusal: 'replayed',
  } as const;
  assert.deepEqual(decodeReply(key, encodeReply(key, refused)), refused);
});

test('R-PCI-1: a request altered in one byte, or signed with another key, is refused as forged', () => {
  const bytes = encodeRequest(key, request);
  const text = new TextDecoder().decode(bytes.subarray(32));
  const altered = new Uint8Array(bytes);
  // Another call, same length: a valid request in every other respect.
  altered.set(new TextEncoder().encode(text.replace(request.callId, request.callId.replace(/0$/, '1'))), 32);
  assert.notDeepEqual(altered, bytes);
  assert.throws(() => decodeRequest(key, altered), { code: 'ECOUTE_CLUSTER_CONTROL_FORGED' });
  assert.throws(() => decodeRequest(randomBytes(32), bytes), { code: 'ECOUTE_CLUSTER_CONTROL_FORGED' });
  const unsigned = new TextEncoder().encode(`${'0'.repeat(32)}${text}`);
  assert.throws(() => decodeRequest(key, unsigned), { code: 'ECOUTE_CLUSTER_CONTROL_FORGED' });
});

test('a reply is not a request and a request is not a reply, even correctly signed', () => {
  const reply = encodeReply(key, {
    v: 1,
    kind: 'reply',
    requestId: 'x',
    from: 'n',
    outcome: 'not_in_progress',
  });
  assert.throws(() => decodeRequest(key, reply), { code: 'ECOUTE_CLUSTER_MESSAGE_INVALID' });
  assert.throws(() => decodeReply(key, encodeRequest(key, request)), {
    code: 'ECOUTE_CLUSTER_MESSAGE_INVALID',
  });
});

test('a request carries ids only: whatever the caller adds (a login, a number) does not cross', () => {
  const leaky = {
    ...request,
    by: { ...request.by, login: 'jdupont', name: 'Jean Dupont' },
    customerNumber: '+33612345678',
  } as ControlRequest;
  const text = new TextDecoder().decode(encodeRequest(key, leaky).subarray(32));
  assert.ok(!/jdupont|Dupont|\+336/.test(text), text);
  assert.deepEqual(Object.keys(JSON.parse(text) as object).sort(), Object.keys(request).sort());
});

test('arbitrary bytes never crash the decoders: a typed error or a value', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.json().map((j) => new TextEncoder().encode(j)),
      ),
      fc.boolean(),
      (bytes, signed) => {
        // Signed garbage reaches the JSON and shape checks; unsigned garbage stops at the MAC.
        const data = signed ? signedBody(bytes) : bytes;
        for (const decode of [decodeRequest, decodeReply]) {
          try {
            decode(key, data);
          } catch (e) {
            assert.ok(
              ['ECOUTE_CLUSTER_CONTROL_FORGED', 'ECOUTE_CLUSTER_MESSAGE_INVALID'].includes(
                (e as { code?: string }).code ?? '',
              ),
              String(e),
            );
          }
        }
      },
    ),
  );
});

/** The same framing as the encoder: HMAC-SHA256(key, body) | body. */
function signedBody(body: Uint8Array): Uint8Array {
  const mac = createHmac('sha256', key).update(body).digest();
  const out = new Uint8Array(32 + body.length);
  out.set(mac, 0);
  out.set(body, 32);
  return out;
}

test('one NATS token per node, whatever its host name holds', () => {
  const s = controlSubject('ingest-2.example.net:97:d4e5f6');
  assert.match(s, /^ecoute\.control\.[A-Za-z0-9_-]+$/);
  assert.notEqual(s, controlSubject('ingest-2.example.net:97:d4e5f7'));
});
