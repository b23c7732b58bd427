import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isEcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { parseRsMetadata } from './metadata.parser.ts';
import { activeParticipants, applyPartialUpdate } from './metadata.partial.ts';

const RFC = `<?xml version="1.0" encoding="UTF-8"?>
<rec:recording xmlns:rec="urn:ietf:params:xml:ns:recording:1">
  <rec:datamode>complete</rec:datamode>
  <rec:group group_id="g1"><rec:associate-time>2026-11-02T09:00:00Z</rec:associate-time></rec:group>
  <rec:session session_id="s1"><rec:sipSessionID>ab;remote=cd</rec:sipSessionID><rec:group-ref>g1</rec:group-ref></rec:session>
  <rec:participant participant_id="p1"><rec:nameID aor="sip:+33140000000@x.example"><rec:name xml:lang="fr">Client &amp; Co</rec:name></rec:nameID></rec:participant>
  <rec:participant participant_id="p2"><rec:nameID aor="sip:1001@pbx.example"/></rec:participant>
  <rec:stream stream_id="st1" session_id="s1"><rec:label>1</rec:label></rec:stream>
  <rec:stream stream_id="st2" session_id="s1"><rec:label>2</rec:label></rec:stream>
  <rec:participantstreamassoc participant_id="p1"><rec:send>st1</rec:send><rec:recv>st2</rec:recv></rec:participantstreamassoc>
  <rec:participantstreamassoc participant_id="p2"><rec:send>st2</rec:send><rec:recv>st1</rec:recv></rec:participantstreamassoc>
  <rec:participantsessionassoc participant_id="p1" session_id="s1"><rec:associate-time>2026-11-02T09:00:00Z</rec:associate-time></rec:participantsessionassoc>
  <nice:interactionId xmlns:nice="urn:nice">42</nice:interactionId>
</rec:recording>`;

test('RFC 7865 form with a prefix: elements matched by local name, associations merged', () => {
  const m = parseRsMetadata(RFC);
  assert.equal(m.datamode, 'complete');
  assert.deepEqual(
    m.participants.map((p) => [p.id, p.aor, p.send, p.recv]),
    [
      ['p1', 'sip:+33140000000@x.example', ['st1'], ['st2']],
      ['p2', 'sip:1001@pbx.example', ['st2'], ['st1']],
    ],
  );
  assert.equal(m.participants[0]?.name, 'Client & Co');
  assert.equal(m.participants[0]?.associateTime, '2026-11-02T09:00:00Z');
  assert.deepEqual(
    m.streams.map((s) => [s.id, s.label, s.sessionId]),
    [
      ['st1', '1', 's1'],
      ['st2', '2', 's1'],
    ],
  );
  assert.equal(m.sessions[0]?.sipSessionId, 'ab;remote=cd');
  assert.equal(m.groups[0]?.associateTime, '2026-11-02T09:00:00Z');
  assert.equal(m.extensions[0]?.name, 'interactionid');
  assert.equal(m.extensions[0]?.fields[''], '42');
});

test('a DOCTYPE with an external entity (XXE) is refused before parsing', () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><recording><datamode>&x;</datamode></recording>`;
  assert.throws(
    () => parseRsMetadata(xxe),
    (e: unknown) => isEcouteError(e, SipErrors.METADATA_FORBIDDEN_DTD),
  );
});

test('an entity bomb (billion laughs) is refused without expansion, quickly', () => {
  const lol = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><recording><datamode>&lol9;</datamode></recording>`;
  const t0 = process.hrtime.bigint();
  assert.throws(
    () => parseRsMetadata(lol),
    (e: unknown) => isEcouteError(e, SipErrors.METADATA_FORBIDDEN_DTD),
  );
  assert.ok(process.hrtime.bigint() - t0 < 50_000_000n);
});

test('an undeclared entity reference is left as text, never resolved', () => {
  const m = parseRsMetadata('<recording><participant id="p"><aor>&ext;</aor></participant></recording>');
  assert.equal(m.participants[0]?.aor, '&ext;');
});

test('not well-formed XML and a document without recording element are METADATA_MALFORMED', () => {
  for (const bad of ['<recording><participant></recording>', '<other/>', '', 'not xml'])
    assert.throws(
      () => parseRsMetadata(bad),
      (e: unknown) => isEcouteError(e, SipErrors.METADATA_MALFORMED),
      bad,
    );
});

test('partial update: a transfer disassociates the first agent and adds a new one', () => {
  const before = parseRsMetadata(RFC);
  const partial =
    parseRsMetadata(`<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>partial</datamode>
    <participant participant_id="p3"><nameID aor="sip:1002@pbx.example"/></participant>
    <participantstreamassoc participant_id="p3"><send>st2</send><recv>st1</recv></participantstreamassoc>
    <participantsessionassoc participant_id="p2" session_id="s1"><disassociate-time>2026-11-02T09:05:00Z</disassociate-time></participantsessionassoc>
  </recording>`);
  assert.equal(partial.datamode, 'partial');
  const after = applyPartialUpdate(before, partial);
  assert.equal(after.datamode, 'complete');
  assert.equal(after.participants.length, 3);
  assert.equal(after.participants.find((p) => p.id === 'p2')?.aor, 'sip:1001@pbx.example');
  assert.deepEqual(
    activeParticipants(after).map((p) => p.id),
    ['p1', 'p3'],
  );
  assert.equal(after.streams.length, 2);
});

test('a complete update replaces the snapshot', () => {
  const next = parseRsMetadata('<recording><datamode>complete</datamode><participant id="z"/></recording>');
  assert.deepEqual(
    applyPartialUpdate(parseRsMetadata(RFC), next).participants.map((p) => p.id),
    ['z'],
  );
});

test('fuzz: arbitrary and mutated documents never throw anything but a typed error', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.nat(RFC.length), (t, at) => {
      for (const doc of [t, RFC.slice(0, at) + t + RFC.slice(at)]) {
        try {
          parseRsMetadata(doc);
        } catch (e) {
          if (!isEcouteError(e)) throw e;
        }
      }
    }),
    { numRuns: 300 },
  );
});
