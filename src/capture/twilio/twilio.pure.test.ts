import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeClock } from '../../clock.ts';
import { ReplayCache, twilioSignature, urlVariants, verifyTwilioUpgrade } from './twilio.signature.ts';
import { parseTwilioMessage } from './twilio.messages.ts';

test("Twilio signature: Twilio's published vector", () => {
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  assert.equal(
    twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params),
    'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
  );
});

test('Twilio signature: the URL is also tried with its default port toggled', () => {
  assert.deepEqual(urlVariants('wss://e.example/ingest/twilio?ts=1'), [
    'wss://e.example/ingest/twilio?ts=1',
    'wss://e.example:443/ingest/twilio?ts=1',
  ]);
  assert.deepEqual(urlVariants('wss://e.example:443/x'), ['wss://e.example:443/x', 'wss://e.example/x']);
  assert.deepEqual(urlVariants('wss://e.example:8443/x'), ['wss://e.example:8443/x']);
});

test('Twilio upgrade: fresh, stale, future, replayed, unsigned', () => {
  const clock = new FakeClock('2026-11-02T09:00:00Z');
  const replay = new ReplayCache();
  const ts = Math.floor(clock.now() / 1000);
  const check = (
    url: string,
    signature = twilioSignature('tok', url),
    authToken: string | undefined = 'tok',
  ) => verifyTwilioUpgrade({ authToken, url, signature, clock, replay });
  const url = `wss://e.example/ingest/twilio?ts=${ts}`;
  assert.equal(check(url).ok, true);
  const again = check(url);
  assert.equal(!again.ok && again.error.code, 'ECOUTE_TWILIO_STALE');
  const stale = check(`wss://e.example/ingest/twilio?ts=${ts - 61}`);
  assert.equal(!stale.ok && stale.error.code, 'ECOUTE_TWILIO_STALE');
  const future = check(`wss://e.example/ingest/twilio?ts=${ts + 6}`);
  assert.equal(!future.ok && future.error.code, 'ECOUTE_TWILIO_STALE');
  const noTs = check('wss://e.example/ingest/twilio');
  assert.equal(!noTs.ok && noTs.error.code, 'ECOUTE_TWILIO_STALE');
  const forged = check(`wss://e.example/ingest/twilio?ts=${ts + 1}`, twilioSignature('other', url));
  assert.equal(!forged.ok && forged.error.code, 'ECOUTE_TWILIO_SIGNATURE');
  const u2 = `wss://e.example/ingest/twilio?ts=${ts}&n=2`;
  const noToken = verifyTwilioUpgrade({
    authToken: undefined,
    url: u2,
    signature: twilioSignature('tok', u2),
    clock,
    replay,
  });
  assert.equal(!noToken.ok && noToken.error.code, 'ECOUTE_TWILIO_UNSIGNED');
  clock.advance(70_000);
  assert.equal(replay.has('x', clock.now()), false);
  assert.equal(replay.size, 0, 'the replay cache forgets signatures once their window has closed');
});

test('Twilio parser: counters as strings, base64 payload, unknown events named', () => {
  const m = parseTwilioMessage(
    JSON.stringify({
      event: 'media',
      sequenceNumber: '3',
      media: { track: 'outbound', chunk: '2', timestamp: '40', payload: 'AAEC' },
    }),
  );
  assert.ok(m.ok);
  assert.deepEqual(m.value, {
    event: 'media',
    seq: 3,
    track: 'outbound',
    chunk: 2,
    timestampMs: 40,
    payload: Buffer.from([0, 1, 2]),
  });
  const u = parseTwilioMessage('{"event":"clear"}');
  assert.equal(!u.ok && u.error.code, 'ECOUTE_TWILIO_UNKNOWN_EVENT');
  const s = parseTwilioMessage('{"event":"media","sequenceNumber":"x","media":{"payload":"AA=="}}');
  assert.equal(!s.ok && s.error.code, 'ECOUTE_TWILIO_MALFORMED');
});

test('Twilio parser: never throws, whatever the frame (fuzz)', () => {
  const frame = fc.oneof(
    fc.string(),
    fc.json(),
    fc
      .record({
        event: fc.constantFrom('connected', 'start', 'media', 'dtmf', 'mark', 'stop', 'x'),
        sequenceNumber: fc.oneof(fc.string(), fc.integer()),
        media: fc.anything(),
        start: fc.anything(),
        dtmf: fc.anything(),
      })
      .map((o) => JSON.stringify(o)),
  );
  fc.assert(
    fc.property(frame, (text) => typeof parseTwilioMessage(text).ok === 'boolean'),
    { numRuns: 500 },
  );
});
