import { it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect } from '../db/testing.ts';
import { isEcouteError } from '../errors.ts';
import { decide } from '../policy/decide.ts';
import { decisionContext } from '../policy/decide.types.ts';
import { call, validFile } from '../policy/testing/fixtures.ts';
import { assertValidPolicyFile } from '../policy/validate.ts';
import type { Rng } from '../policy/rng.ts';
import { AckService } from './ack.ts';
import { RightsErrors } from './errors.ts';

const KEY = Buffer.alloc(32, 9);
const alwaysDrawn: Rng = { draw: () => ({ value: 0, seed: 'fixed-0' }) };

forEachDialect('employee notice acknowledgement', (h) => {
  it('R-EMP-2: an agent is recorded only after acknowledging the current notice version through their link', async () => {
    const f = validFile();
    let version = 3;
    const acks = new AckService({
      agents: h.db.agents,
      clock: h.clock,
      key: KEY,
      currentVersion: () => version,
    });
    await h.db.agents.upsert({ id: 'agent-42', displayName: 'Agent 42', teamId: 'support' });
    const decideFor = async () => {
      f.notices.employee.version = version;
      const ctx = decisionContext(assertValidPolicyFile(f));
      const agent = await h.db.agents.get('agent-42');
      h.clock.set('2026-11-02T09:15:00Z');
      return decide(
        call({ agentAcknowledgedNoticeVersion: agent?.noticeVersion }),
        ctx,
        alwaysDrawn,
        h.clock,
      );
    };
    assert.deepEqual((await decideFor()).refusedBy, ['R-EMP-2'], 'never acknowledged');
    const link = await acks.link('agent-42');
    const token = link.replace('/ack/', '');
    assert.equal(acks.read(token).current, true);
    await acks.acknowledge(token);
    assert.equal((await decideFor()).record, true, 'acknowledged v3: recorded');

    version = 4;
    assert.deepEqual((await decideFor()).refusedBy, ['R-EMP-2'], 'a new version needs a new acknowledgement');
    await assert.rejects(
      acks.acknowledge(token),
      (e) => isEcouteError(e, RightsErrors.ACK_TOKEN_INVALID),
      'old link refused',
    );
    assert.deepEqual(
      (await acks.pending()).map((a) => a.id),
      ['agent-42'],
    );
    await acks.acknowledge((await acks.link('agent-42')).replace('/ack/', ''));
    assert.equal((await decideFor()).record, true);
    const history = await h.db.agents.ackHistory('agent-42');
    assert.deepEqual(history.map((x) => x.noticeVersion).sort(), [3, 4]);

    const tampered = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    assert.throws(
      () => acks.read(tampered),
      (e) => isEcouteError(e, RightsErrors.ACK_TOKEN_INVALID),
    );
    h.clock.advanceDays(31);
    assert.throws(
      () => acks.read(token),
      (e) => isEcouteError(e, RightsErrors.ACK_TOKEN_INVALID),
      'expired',
    );
  });
});
