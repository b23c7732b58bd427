import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEcouteError } from '../../errors.ts';
import { SipErrors } from './errors.ts';
import { parseSipMessage } from './sip.parser.ts';
import { readSiprecOffer } from './siprec.invite.ts';
import { assignRoles } from './participants.ts';
import { addressMatches, matchTrunk, siprecFacts, DEFAULT_TRUNK } from './trunk.ts';
import { parseTrunks } from './trunk.config.ts';
import { fixture } from './test.fixtures.ts';
import type { SipRequest } from './sip.message.ts';

const doc = {
  trunks: [
    {
      id: 'audiocodes-paris',
      match: { sources: ['8.8.8.0/24'] },
      agentAor: [{ regex: '^1\\d{3}$' }],
      agentId: [{ header: 'X-GenesysAgentID' }, { agentAor: true }],
      queue: [{ header: 'X-Queue' }],
      direction: { sources: [{ header: 'X-Direction' }], default: 'inbound' },
      notice: [{ header: 'X-Ecoute-Notice' }],
    },
    {
      id: 'sonus-lyon',
      match: { sources: ['192.0.2.30'] },
      queue: [{ header: 'X-Queue' }],
      agentId: [{ extension: 'callData.tohdr' }],
      notice: [
        {
          attestation: {
            version: 3,
            attestedBy: 'dpo@example.com',
            attestedAt: '2026-10-01',
            text: 'The IVR plays notice v3 before every transfer to an agent.',
          },
        },
      ],
    },
  ],
};

function invite(name: string): SipRequest {
  return parseSipMessage(fixture(name)) as SipRequest;
}

test('trunks are matched by source address (CIDR or exact), else the default trunk', () => {
  const trunks = parseTrunks(doc);
  assert.ok(addressMatches('::ffff:8.8.8.8', '8.8.8.0/24'));
  assert.ok(!addressMatches('8.8.9.8', '8.8.8.0/24'));
  assert.equal(matchTrunk(trunks, '8.8.8.8', invite('audiocodes.txt')).id, 'audiocodes-paris');
  assert.equal(matchTrunk(trunks, '192.0.2.30', invite('sonus.txt')).id, 'sonus-lyon');
  assert.equal(matchTrunk(trunks, '203.0.113.1', invite('sonus.txt')), DEFAULT_TRUNK);
});

test('R-CAL-1: the notice header set by the IVR gives version and end time; the agent comes from the AOR', () => {
  const [t] = parseTrunks(doc);
  assert.ok(t);
  const req = invite('audiocodes.txt');
  const body = readSiprecOffer(req);
  const who = assignRoles(body.sdp, body.metadata, { agentAor: t.agentAor }, 'inbound');
  const f = siprecFacts(t, req, body.metadata, who, 0);
  assert.deepEqual(f.agentRef, { kind: 'aor', value: '1001' });
  assert.equal(f.direction, 'inbound');
  assert.equal(f.noticePlayed, true);
  assert.equal(f.noticeVersion, 2);
  assert.equal(f.noticeEndedAt, Date.parse('2026-11-02T09:00:05Z'));
  assert.equal(f.noticeEvidence.source, 'header');
});

test('R-CAL-1: a per-trunk attestation counts as the notice and is kept as evidence; queue from a header', () => {
  const t = parseTrunks(doc)[1];
  assert.ok(t);
  const req = invite('sonus.txt');
  const body = readSiprecOffer(req);
  const who = assignRoles(body.sdp, body.metadata, { agentAor: [] }, 'inbound');
  const f = siprecFacts(t, req, body.metadata, who, 1234);
  assert.equal(f.queue, 'billing');
  assert.equal(f.agentRef?.value, '<sip:+33180000000@contact.example>');
  assert.equal(f.noticePlayed, true);
  assert.equal(f.noticeEndedAt, 1234);
  assert.equal(f.noticeEvidence.source, 'attestation');
});

test('R-CAL-1: no notice source, or a notice without end time, means not played', () => {
  const req = invite('cisco-nbr.txt');
  const body = readSiprecOffer(req);
  const who = assignRoles(body.sdp, undefined, { agentAor: [] }, 'inbound');
  assert.equal(siprecFacts(DEFAULT_TRUNK, req, undefined, who, 0).noticePlayed, false);
  const [t] = parseTrunks(doc);
  assert.ok(t);
  const partial = parseSipMessage(
    fixture('audiocodes.txt').toString().replace(';ended=2026-11-02T09:00:05Z', ';objected=1'),
  ) as SipRequest;
  const f = siprecFacts(t, partial, undefined, who, 0);
  assert.equal(f.noticePlayed, false);
  assert.equal(f.objectionSignalled, true);
});

test('invalid trunk files name the trunk and the field', () => {
  const cases: unknown[] = [
    {},
    { trunks: [{ id: 'a' }] },
    { trunks: [{ id: 'a', match: { sources: ['1.2.3.4'] }, agentAor: [{ regex: '(' }] }] },
    { trunks: [{ id: 'a', match: { sources: ['1.2.3.4'] }, notice: [{ attestation: { version: 0 } }] }] },
    { trunks: [{ id: 'a', match: { sources: ['1.2.3.4'] }, direction: { default: 'sideways' } }] },
  ];
  for (const c of cases)
    assert.throws(
      () => parseTrunks(c),
      (e: unknown) => isEcouteError(e, SipErrors.TRUNK_CONFIG_INVALID),
      JSON.stringify(c),
    );
});

test('analyseInvite: trunk, roles and facts in one call; a header can make the call outbound', async () => {
  const { analyseInvite } = await import('./siprec.analysis.ts');
  const trunks = parseTrunks(doc);
  const raw = fixture('audiocodes.txt')
    .toString()
    .replace('X-Ecoute-Notice', 'X-Direction: outbound\r\nX-Ecoute-Notice');
  const req = parseSipMessage(raw) as SipRequest;
  const body = readSiprecOffer(req);
  const remote = { transport: 'tcp' as const, address: '8.8.8.8', port: 5060 };
  const a = analyseInvite({ request: req, sdp: body.sdp, metadata: body.metadata, remote }, trunks, 0);
  assert.equal(a.trunk.id, 'audiocodes-paris');
  assert.equal(a.facts.direction, 'outbound');
  assert.deepEqual(
    a.roles.streams.map((s) => s.role),
    ['customer', 'agent'],
  ); // the AOR pattern wins over direction
  assert.deepEqual(a.facts.agentRef, { kind: 'aor', value: '1001' });
});
