/**
 * The vendor corpus (test/fixtures/siprec, written from PROTOCOLS.md B.1 quirks): each INVITE is parsed
 * end to end (SIP → multipart → SDP + metadata) and its streams get the expected roles and answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSipMessage } from './sip.parser.ts';
import { readSiprecBody, readSiprecOffer } from './siprec.invite.ts';
import { assignRoles, type AorPattern, type RoleBasis, type StreamRole } from './participants.ts';
import { buildSrsAnswer } from './sdp.answer.ts';
import { parseSdp } from './sdp.parser.ts';
import { parseRsMetadata } from './metadata.parser.ts';
import { applyPartialUpdate } from './metadata.partial.ts';
import { fixture, fixtureText } from './test.fixtures.ts';
import type { SipRequest } from './sip.message.ts';

interface Case {
  readonly file: string;
  readonly agentAor: readonly AorPattern[];
  readonly labels: readonly (string | undefined)[];
  readonly roles: readonly StreamRole[];
  readonly basis: RoleBasis;
  readonly signals: { require: boolean; srcContact: boolean };
  readonly codec: string;
  readonly answerDirections: readonly string[];
  readonly metadata: boolean;
}

const both = { require: true, srcContact: true };
const cases: readonly Case[] = [
  {
    file: 'audiocodes.txt',
    agentAor: [{ kind: 'regex', pattern: '^1\\d{3}$' }],
    labels: ['1', '2'],
    roles: ['customer', 'agent'],
    basis: 'aor-pattern',
    signals: both,
    codec: 'PCMU',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: true,
  },
  {
    file: 'cisco-cube.txt',
    agentAor: [{ kind: 'domain', domain: 'agents.example.com' }],
    labels: ['1', '2'],
    roles: ['customer', 'agent'],
    basis: 'aor-pattern',
    signals: both,
    codec: 'PCMA',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: true,
  },
  {
    file: 'cisco-cube-inactive.txt',
    agentAor: [{ kind: 'domain', domain: 'agents.example.com' }],
    labels: ['1', '2'],
    roles: ['customer', 'agent'],
    basis: 'aor-pattern',
    signals: both,
    codec: 'PCMA',
    answerDirections: ['inactive', 'inactive'],
    metadata: true,
  },
  {
    file: 'oracle-acme.txt',
    agentAor: [],
    labels: ['16777227', '16777228'],
    roles: ['customer', 'agent'],
    basis: 'vendor-hint',
    signals: both,
    codec: 'PCMU',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: true,
  },
  {
    file: 'sonus.txt',
    agentAor: [],
    labels: ['1', '2'],
    roles: ['customer', 'agent'],
    basis: 'vendor-hint',
    signals: both,
    codec: 'G722',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: true,
  },
  {
    file: 'broadworks.txt',
    agentAor: [],
    labels: ['1', '2'],
    roles: ['customer', 'agent'],
    basis: 'participant-order',
    signals: both,
    codec: 'PCMA',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: true,
  },
  {
    file: 'metaswitch.txt',
    agentAor: [],
    labels: ['1'],
    roles: ['mixed'],
    basis: 'mixed',
    signals: both,
    codec: 'PCMU',
    answerDirections: ['recvonly'],
    metadata: true,
  },
  {
    file: 'avaya-sbce.txt',
    agentAor: [{ kind: 'regex', pattern: '^5\\d{3}$' }],
    labels: ['10', '20'],
    roles: ['customer', 'agent'],
    basis: 'stream-order',
    signals: both,
    codec: 'PCMU',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: true,
  },
  {
    file: 'cisco-nbr.txt',
    agentAor: [],
    labels: [undefined, undefined],
    roles: ['customer', 'agent'],
    basis: 'stream-order',
    signals: { require: false, srcContact: false },
    codec: 'PCMU',
    answerDirections: ['recvonly', 'recvonly'],
    metadata: false,
  },
];

for (const c of cases) {
  test(`corpus ${c.file}: streams, roles, signals and a same-order recvonly answer`, () => {
    const req = parseSipMessage(fixture(c.file)) as SipRequest;
    const body = readSiprecOffer(req);
    assert.deepEqual(body.signals, c.signals);
    assert.equal(body.metadata !== undefined, c.metadata);
    assert.equal(body.metadataError, undefined);
    const who = assignRoles(body.sdp, body.metadata, { agentAor: c.agentAor }, 'inbound');
    assert.deepEqual(
      who.streams.map((s) => s.label),
      c.labels,
    );
    assert.deepEqual(
      who.streams.map((s) => s.role),
      c.roles,
    );
    assert.equal(who.basis, c.basis);
    const ports = body.sdp.media.map((_m, i) => 20000 + 2 * i);
    const answer = buildSrsAnswer(body.sdp, { address: '127.0.0.1', ports, record: true });
    const parsed = parseSdp(answer.sdp);
    assert.equal(parsed.media.length, body.sdp.media.length);
    assert.deepEqual(
      parsed.media.map((m) => m.direction),
      c.answerDirections,
    );
    assert.deepEqual(
      parsed.media.map((m) => m.label),
      c.labels.map((l, i) => l ?? String(i + 1)),
    );
    assert.deepEqual(
      parsed.media.map((m) => m.port),
      ports,
    );
    assert.equal(answer.streams[0]?.codec?.encoding, c.codec);
    assert.equal(answer.streams[0]?.telephoneEventPt, 101);
  });
}

test('corpus Cisco CUBE: the application/gtd part is ignored, Require "100rel, siprec" is recognised', () => {
  const req = parseSipMessage(fixture('cisco-cube.txt')) as SipRequest;
  const body = readSiprecBody(req);
  assert.equal(body.signals.require, true);
  assert.equal(body.sdp?.media.length, 2);
});

test('corpus Avaya SBCE: the dummy participant is replaced by the real ones in a partial UPDATE', () => {
  const req = parseSipMessage(fixture('avaya-sbce.txt')) as SipRequest;
  const first = readSiprecOffer(req);
  const update = parseRsMetadata(fixtureText('avaya-sbce-update.xml'));
  assert.equal(update.datamode, 'partial');
  const merged = applyPartialUpdate(first.metadata, update);
  const who = assignRoles(
    first.sdp,
    merged,
    { agentAor: [{ kind: 'regex', pattern: '^5\\d{3}$' }] },
    'inbound',
  );
  assert.equal(who.basis, 'aor-pattern');
  assert.deepEqual(
    who.streams.map((s) => s.role),
    ['customer', 'agent'],
  );
  assert.equal(who.agentAor, 'sip:5001@cc.example.com');
});

test('corpus Metaswitch: compact headers and the vendor extension are kept raw', () => {
  const req = parseSipMessage(fixture('metaswitch.txt')) as SipRequest;
  const body = readSiprecOffer(req);
  const ext = body.metadata?.extensions.find((e) => e.name === 'metaswitchrecordingmetadata');
  assert.equal(ext?.fields['recordedparty'], '1004');
  assert.match(ext?.xml ?? '', /<metaswitchRecordingMetadata[^>]*>.*<recordedParty>1004<\/recordedParty>/s);
});

test('corpus outbound call: the caller (first participant) is the agent', () => {
  const req = parseSipMessage(fixture('broadworks.txt')) as SipRequest;
  const body = readSiprecOffer(req);
  const who = assignRoles(body.sdp, body.metadata, { agentAor: [] }, 'outbound');
  assert.deepEqual(
    who.streams.map((s) => s.role),
    ['agent', 'customer'],
  );
});
