import { test } from 'node:test';
import assert from 'node:assert/strict';
import { factsFromParameters } from './facts.params.ts';

test('R-CAL-1: a notice end time means the notice was played; flags and numbers are typed', () => {
  const r = factsFromParameters(
    {
      direction: 'outbound',
      agent: 'a1',
      noticeVersion: '4',
      noticeEndedAt: '2026-11-02T08:59:00Z',
      personal: 'yes',
      protected: '0',
      objection: 'true',
    },
    { startedAt: 5 },
  );
  assert.ok(r.ok);
  assert.equal(r.facts.noticePlayed, true);
  assert.equal(r.facts.noticeEndedAt, Date.parse('2026-11-02T08:59:00Z'));
  assert.equal(r.facts.personalCall, true);
  assert.equal(r.facts.protectedLine, false);
  assert.equal(r.facts.objectionSignalled, true);
  assert.equal(r.facts.direction, 'outbound');
  const none = factsFromParameters({}, { startedAt: 5 });
  assert.ok(none.ok && none.facts.noticePlayed === false && none.facts.direction === 'inbound');
});

test('bad parameters are named', () => {
  for (const [params, name] of [
    [{ direction: 'sideways' }, 'direction'],
    [{ noticeVersion: '0' }, 'noticeVersion'],
    [{ noticeEndedAt: 'yesterday' }, 'noticeEndedAt'],
    [{ personal: 'maybe' }, 'personal'],
    [{ trigger: 'supervisor' }, 'trigger'],
    [{ agent: { id: 1 } }, 'agent'],
  ] as const) {
    const r = factsFromParameters(params, { startedAt: 0 });
    assert.ok(
      !r.ok && r.error.code === 'ECOUTE_CAPTURE_PARAMETER_INVALID' && r.error.message.includes(name),
      name,
    );
  }
});
