import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { FakeClock } from '../clock.ts';
import { silentLogger } from '../log.ts';
import { LiveHub, type LiveListener } from '../capture/live.hub.ts';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { ClusterCalls } from './cluster.calls.ts';
import { NatsRelay } from './nats.relay.ts';
import type { LiveCallInfo } from './live.wire.ts';
import { NATS_TEST_URL, natsAvailable, testBlock } from './testing.ts';

interface Node {
  readonly id: string;
  readonly hub: LiveHub;
  readonly relay: NatsRelay;
  readonly calls: ClusterCalls;
  readonly mine: LiveCallInfo[];
}

const clock = new FakeClock('2026-11-02T09:00:00Z');

async function node(name: string): Promise<Node> {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const mine: LiveCallInfo[] = [];
  const hub = new LiveHub();
  // A long heartbeat: the test drives snapshots with tick() and time with the FakeClock.
  const relay = await NatsRelay.connect({
    url: NATS_TEST_URL,
    nodeId: id,
    log: silentLogger,
    localCalls: () => mine,
    clock,
    heartbeatMs: 60_000,
  });
  hub.setRelay(relay);
  return { id, hub, relay, mine, calls: new ClusterCalls({ nodeId: id, hub, local: () => mine, relay }) };
}

function until(n: Node, pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const off = n.relay.watch(() => {
      if (pred()) {
        off();
        resolve();
      }
    });
  });
}

function call(owner: Node, over: Partial<LiveCallInfo> = {}): LiveCallInfo {
  const c: LiveCallInfo = {
    callId: randomUUID(),
    recordingId: randomUUID(),
    nodeId: owner.id,
    team: 'team-a',
    agentId: 'agent-1',
    queue: 'sales',
    direction: 'inbound',
    policyId: 'quality-sample',
    purposes: ['quality'],
    liveListening: true,
    startedAt: clock.now(),
    state: 'recording',
    ...over,
  };
  owner.mine.push(c);
  return c;
}

/** A listener that records what it receives and resolves when closed. */
function recordingListener(): LiveListener & {
  blocks: StereoBlock[];
  closed: Promise<{ reason: string; rule?: string }>;
} {
  let done!: (v: { reason: string; rule?: string }) => void;
  const blocks: StereoBlock[] = [];
  const waiters: (() => void)[] = [];
  return {
    blocks,
    closed: new Promise((r) => (done = r)),
    onBlock: (b) => {
      blocks.push(b);
      waiters.splice(0).forEach((w) => w());
    },
    close: (reason, rule) => done(rule === undefined ? { reason } : { reason, rule }),
  };
}

describe('live listening across nodes over NATS', async () => {
  if (!(await natsAvailable())) {
    it('NATS unreachable: suite SKIPPED', { skip: 'NATS unreachable' }, () => undefined);
    return;
  }
  let a: Node;
  let b: Node;
  before(async () => {
    a = await node('a');
    b = await node('b');
  });
  after(async () => {
    await a.relay.close();
    await b.relay.close();
  });

  it('R-EMP-6: a call held by node A is listed on node B with its non-personal facts only, and heard there', async () => {
    const c = call(a);
    a.hub.publish(c.callId, testBlock(0, 800, 1000, -2000)); // the first block announces the call
    await until(b, () => b.calls.get(c.callId) !== undefined);
    const listed = b.calls.get(c.callId);
    assert.deepEqual(listed, { ...c, local: false });
    assert.deepEqual(
      Object.keys(listed ?? {}).sort(),
      [...Object.keys(c), 'local'].sort(),
      'no other field crosses',
    );

    const l = recordingListener();
    const off = b.calls.subscribe(c.callId, l);
    await b.relay.flush();
    const got = new Promise<void>((resolve) => {
      const orig = l.onBlock.bind(l);
      l.onBlock = (blk) => {
        orig(blk);
        if (l.blocks.length === 3) resolve();
      };
    });
    for (let s = 1; s <= 3; s++) a.hub.publish(c.callId, testBlock(s, 800, 1000 * s, -500 * s));
    await got;
    assert.deepEqual(
      l.blocks.map((x) => x.seq),
      [1, 2, 3],
    );
    const last = l.blocks[2];
    assert.ok(last);
    assert.equal(last.frames, 800);
    // µ-law is lossy: the PCM comes back within its quantisation step.
    assert.ok(
      Math.abs((last.pcm[0] ?? 0) - 3000) < 100 && Math.abs((last.pcm[1] ?? 0) + 1500) < 60,
      'agent and customer channels kept',
    );
    off();
    a.hub.disconnect(c.callId, 'ended');
    await until(b, () => b.calls.get(c.callId) === undefined);
  });

  it('R-CAL-2: an objection on node A disconnects the listener on node B with the rule, and the call leaves the list', async () => {
    const c = call(a);
    a.hub.publish(c.callId, testBlock(0, 800, 1, 1));
    await until(b, () => b.calls.get(c.callId) !== undefined);
    const l = recordingListener();
    b.calls.subscribe(c.callId, l);
    await b.relay.flush();
    a.mine.splice(a.mine.indexOf(c), 1);
    a.hub.disconnect(c.callId, 'objection', 'R-CAL-2');
    assert.deepEqual(await l.closed, { reason: 'objection', rule: 'R-CAL-2' });
    await until(b, () => b.calls.get(c.callId) === undefined);
  });

  it('R-PCI-1: a pause on node A disconnects remote listeners but the call stays listed', async () => {
    const c = call(a);
    a.hub.publish(c.callId, testBlock(0, 800, 1, 1));
    await until(b, () => b.calls.get(c.callId) !== undefined);
    const l = recordingListener();
    b.calls.subscribe(c.callId, l);
    await b.relay.flush();
    a.hub.disconnect(c.callId, 'paused', 'R-PCI-1');
    assert.deepEqual(await l.closed, { reason: 'paused', rule: 'R-PCI-1' });
    assert.ok(b.calls.get(c.callId), 'still in progress');
    a.mine.splice(a.mine.indexOf(c), 1);
    a.relay.tick(); // the snapshot no longer has it
    await until(b, () => b.calls.get(c.callId) === undefined);
  });

  it('a node that goes silent (killed) has its calls dropped after three heartbeats, and their listeners closed', async () => {
    const c = call(a);
    a.relay.tick();
    await until(b, () => b.calls.get(c.callId) !== undefined);
    const l = recordingListener();
    b.calls.subscribe(c.callId, l);
    clock.advance(3 * 60_000 + 1);
    assert.equal(b.calls.get(c.callId), undefined);
    assert.deepEqual(await l.closed, { reason: 'ended' });
    a.mine.length = 0;
  });

  it('a call no node holds cannot be subscribed', () => {
    assert.throws(() => b.calls.subscribe(randomUUID(), recordingListener()), {
      code: 'ECOUTE_CLUSTER_CALL_NOT_LIVE',
    });
  });
});
