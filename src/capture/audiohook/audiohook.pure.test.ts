import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { FakeClock } from '../../clock.ts';
import { formatDuration, parseClientMessage, parseDurationMs } from './audiohook.messages.ts';
import {
  NonceCache,
  parseSignatureInput,
  verifyAudioHookUpgrade,
  type UpgradeRequest,
} from './audiohook.signature.ts';

test('AudioHook durations: ISO-8601 as Genesys writes them', () => {
  assert.equal(parseDurationMs('PT12.34S'), 12340);
  assert.equal(parseDurationMs('PT1M2S'), 62000);
  assert.equal(parseDurationMs('PT0S'), 0);
  assert.ok(Number.isNaN(parseDurationMs('PT')));
  assert.ok(Number.isNaN(parseDurationMs('12')));
  assert.equal(formatDuration(2600), 'PT2.6S');
});

test('AudioHook parser: open offers keep unsupported formats as holes, facts merge customConfig and inputVariables', () => {
  const r = parseClientMessage(
    JSON.stringify({
      version: '2',
      id: 's',
      type: 'open',
      seq: 1,
      position: 'PT0S',
      parameters: {
        organizationId: 'o',
        conversationId: 'c',
        participant: { id: 'p', ani: '+33' },
        media: [
          { type: 'audio', format: 'opus', channels: ['external'], rate: 8000 },
          { type: 'audio', format: 'L16', channels: ['internal', 'external'], rate: 8000 },
        ],
        customConfig: { queue: 'a' },
        inputVariables: { queue: 'b', agent: 'x' },
      },
    }),
  );
  assert.ok(r.ok && r.value.type === 'open');
  assert.equal(r.value.parameters.media[0], undefined);
  assert.deepEqual(r.value.parameters.media[1]?.channels, ['internal', 'external']);
  assert.deepEqual(r.value.parameters.facts, { queue: 'b', agent: 'x' });
  const v1 = parseClientMessage('{"version":"1","id":"s","type":"ping","seq":1}');
  assert.equal(!v1.ok && v1.error.code, 'ECOUTE_AUDIOHOOK_MALFORMED');
});

test('AudioHook parser: never throws (fuzz)', () => {
  const frame = fc.oneof(
    fc.string(),
    fc.json(),
    fc
      .record({
        version: fc.constant('2'),
        id: fc.string(),
        type: fc.constantFrom('open', 'ping', 'paused', 'resumed', 'discarded', 'error', 'close', 'x'),
        seq: fc.anything(),
        position: fc.anything(),
        parameters: fc.anything(),
      })
      .map((o) => JSON.stringify(o)),
  );
  fc.assert(
    fc.property(frame, (text) => typeof parseClientMessage(text).ok === 'boolean'),
    { numRuns: 500 },
  );
});

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
function signed(
  clock: FakeClock,
  o: { created?: number; expires?: number; nonce?: string; drop?: string } = {},
): UpgradeRequest {
  const created = o.created ?? Math.floor(clock.now() / 1000);
  const comps = [
    '@request-target',
    '@authority',
    'audiohook-organization-id',
    'audiohook-session-id',
    'audiohook-correlation-id',
    'x-api-key',
  ].filter((c) => c !== o.drop);
  const headers: Record<string, string> = {
    'audiohook-organization-id': 'org',
    'audiohook-session-id': 'sess',
    'audiohook-correlation-id': 'corr',
    'x-api-key': 'KEY',
  };
  const params = `(${comps.map((c) => `"${c}"`).join(' ')});keyid="KEY";nonce="${o.nonce ?? 'abcdefghijklmnopqrstuv'}";alg="hmac-sha256";created=${created};expires=${o.expires ?? created + 30}`;
  const value = (c: string) =>
    c === '@request-target' ? '/ingest/audiohook' : c === '@authority' ? 'ecoute.example' : headers[c];
  const base = [...comps.map((c) => `"${c}": ${value(c)}`), `"@signature-params": ${params}`].join('\n');
  const sig = createHmac('sha256', Buffer.from(SECRET, 'base64')).update(base).digest('base64');
  return {
    target: '/ingest/audiohook',
    authority: 'ecoute.example',
    headers: { ...headers, 'signature-input': `sig1=${params}`, signature: `sig1=:${sig}:` },
  };
}

test('AudioHook signature: age 10 s, skew 3 s, expiry, nonce replay, all components required', () => {
  const clock = new FakeClock('2026-11-02T09:00:00Z');
  const now = Math.floor(clock.now() / 1000);
  const auth = () => ({ apiKey: 'KEY', clientSecret: SECRET, clock, nonces: new NonceCache() });
  const ok = (req: UpgradeRequest, a = auth()) => verifyAudioHookUpgrade(req, a).ok;
  assert.equal(ok(signed(clock)), true);
  assert.equal(ok(signed(clock, { created: now - 13 })), true, '10 s + 3 s skew');
  assert.equal(ok(signed(clock, { created: now - 14 })), false);
  assert.equal(ok(signed(clock, { created: now + 3 })), true);
  assert.equal(ok(signed(clock, { created: now + 4 })), false);
  assert.equal(ok(signed(clock, { created: now - 10, expires: now - 5 })), false);
  assert.equal(ok(signed(clock, { drop: 'audiohook-session-id' })), false);
  assert.equal(ok(signed(clock, { nonce: 'short' })), false);
  const shared = auth();
  assert.equal(ok(signed(clock), shared), true);
  assert.equal(ok(signed(clock), shared), false, 'the same nonce twice is a replay');
  assert.equal(verifyAudioHookUpgrade(signed(clock), { ...auth(), apiKey: 'OTHER' }).ok, false);
  assert.equal(
    verifyAudioHookUpgrade(
      { ...signed(clock), headers: { 'x-api-key': 'KEY' } },
      { ...auth(), clientSecret: undefined },
    ).ok,
    true,
    'no secret: API key only',
  );
});

test('AudioHook signature: Signature-Input parsing keeps the raw inner list', () => {
  const p = parseSignatureInput('sig1=("@request-target" "x-api-key");keyid="K";created=1700000000');
  assert.deepEqual(p?.components, ['@request-target', 'x-api-key']);
  assert.equal(p?.raw, '("@request-target" "x-api-key");keyid="K";created=1700000000');
  assert.deepEqual(p?.params, { keyid: 'K', created: 1700000000 });
  assert.equal(parseSignatureInput('garbage'), undefined);
});
