import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, nextState, type CallEvent, type CallState } from './call.lifecycle.ts';

const run = (events: CallEvent[]): { state: CallState; effects: string[] } => {
  let state = initialState(0);
  const effects: string[] = [];
  for (const e of events) {
    const t = nextState(state, e);
    state = t.state;
    effects.push(...t.effects.map((x) => x.kind));
  }
  return { state, effects };
};

test('R-PCI-1: a pause closes the gate and disconnects listeners; resume marks the paused span', () => {
  let t = nextState(initialState(0), { kind: 'pause', at: 1000, reason: 'agent' });
  assert.deepEqual(
    t.effects.map((e) => e.kind),
    ['gate_closed', 'disconnect_listeners', 'log'],
  );
  t = nextState(t.state, { kind: 'resume', at: 4000 });
  assert.deepEqual(t.effects[0], { kind: 'mark_segment', segment: 'paused', from: 1000, to: 4000 });
  assert.equal(t.state.kind, 'recording');
});

test('R-CAL-2: an objection destroys the audio and disconnects listeners, and nothing is sealed afterwards', () => {
  const { state, effects } = run([
    { kind: 'objection', at: 500, by: 'dtmf' },
    { kind: 'end', at: 900, reason: 'completed' },
  ]);
  assert.equal(state.kind, 'objected');
  assert.ok(effects.includes('destroy_audio'));
  assert.ok(!effects.includes('seal'), 'an objected call is never sealed');
});

test('R-PCI-3: card data destroys the audio at once', () => {
  const { state, effects } = run([{ kind: 'card_data', at: 10 }]);
  assert.equal(state.kind, 'card_data_destroyed');
  assert.deepEqual(effects, ['gate_closed', 'disconnect_listeners', 'destroy_audio', 'log']);
});

test('ending while paused closes the paused span before sealing; events after the end do nothing', () => {
  const { state, effects } = run([
    { kind: 'pause', at: 100, reason: 'sip_reinvite' },
    { kind: 'end', at: 300, reason: 'hangup' },
    { kind: 'resume', at: 400 },
    { kind: 'objection', at: 500, by: 'api' },
  ]);
  assert.equal(state.kind, 'ended');
  assert.deepEqual(effects.slice(-2), ['mark_segment', 'seal']);
});

test('a second pause or a resume while recording is a no-op', () => {
  assert.deepEqual(run([{ kind: 'resume', at: 1 }]).effects, []);
  assert.equal(
    run([
      { kind: 'pause', at: 1, reason: 'api' },
      { kind: 'pause', at: 2, reason: 'api' },
    ]).effects.length,
    3,
  );
});

test('R-EMP-4: a call flagged personal mid-call stops and its audio is destroyed', () => {
  const { state, effects } = run([
    { kind: 'personal', at: 10 },
    { kind: 'end', at: 20, reason: 'completed' },
  ]);
  assert.equal(state.kind, 'personal_destroyed');
  assert.deepEqual(effects, ['gate_closed', 'disconnect_listeners', 'destroy_audio', 'log']);
});
