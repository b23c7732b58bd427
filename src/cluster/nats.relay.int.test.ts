import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect as natsConnect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { FakeClock } from '../clock.ts';
import { silentLogger } from '../log.ts';
import { LiveHub, type LiveListener } from '../capture/live.hub.ts';
import type { StereoBlock } from '../media/pipeline.types.ts';
import { ClusterCalls } from './cluster.calls.ts';
import { NatsRelay } from './nats.relay.ts';
import {
  CALLS_SUBJECT,
  decodeAnnouncement,
  encodeAnnouncement,
  encodeBlock,
  liveContext,
  liveSubject,
  type LiveCallInfo,
} from './live.wire.ts';
import { openSealed, Sealer } from './sealed.wire.ts';
import { NATS_TEST_URL, natsAvailable, RejectionCounter, testBlock, toneBlock } from './testing.ts';

interface Node {
  readonly id: string;
  readonly hub: LiveHub;
  readonly relay: NatsRelay;
  readonly calls: ClusterCalls;
  readonly mine: LiveCallInfo[];
  readonly rejected: RejectionCounter;
}

const clock = new FakeClock('2026-11-02T09:00:00Z');
/** The cluster's keys for this run (in production derived from the shared service key, control.key.ts). */
const keys = { live: randomBytes(32), calls: randomBytes(32) };

async function node(name: string): Promise<Node> {
  const id = `${name}-${randomUUID().slice(0, 8)}`;
  const mine: LiveCallInfo[] = [];
  const hub = new LiveHub();
  const rejected = new RejectionCounter();
  // A long heartbeat: the test drives snapshots with tick() and time with the FakeClock.
  const relay = await NatsRelay.connect({
    url: NATS_TEST_URL,
    nodeId: id,
    log: silentLogger,
    localCalls: () => mine,
    clock,
    heartbeatMs: 60_000,
    keys,
    metrics: rejected,
  });
  hub.setRelay(relay);
  const calls = new ClusterCalls({ nodeId: id, hub, local: () => mine, relay });
  return { id, hub, relay, mine, calls, rejected };
}

/** A plain client of the NATS server, without the cluster's keys, that keeps what it hears on `subject`. */
async function rawClient(subject: string): Promise<{
  nc: NatsConnection;
  heard: Msg[];
  /** Resolves with the first message heard (or to be heard) that satisfies `pred`. */
  hears(pred: (m: Msg, index: number) => boolean): Promise<Msg>;
}> {
  const nc = await natsConnect({ servers: NATS_TEST_URL });
  const heard: Msg[] = [];
  const waiters: { pred: (m: Msg, index: number) => boolean; resolve: (m: Msg) => void }[] = [];
  nc.subscribe(subject, {
    callback: (_e, m) => {
      heard.push(m);
      for (const w of [...waiters])
        if (w.pred(m, heard.length - 1)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
    },
  });
  await nc.flush();
  return {
    nc,
    heard,
    hears: (pred) => {
      const now = heard.find(pred);
      return now ? Promise.resolve(now) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

/** The announcement in a message sealed with the cluster's calls key, or undefined (not ours). */
function announcementIn(m: Msg): ReturnType<typeof decodeAnnouncement> | undefined {
  try {
    return decodeAnnouncement(openSealed(keys.calls, CALLS_SUBJECT, m.data).plaintext);
  } catch {
    return undefined; // another cluster's announcement on the same server
  }
}

/** A listener that resolves `got(n)` once it holds `n` blocks. */
function countingListener(): ReturnType<typeof recordingListener> & { got(n: number): Promise<void> } {
  const l = recordingListener();
  const waiters: { n: number; resolve: () => void }[] = [];
  const onBlock = l.onBlock.bind(l);
  return Object.assign(l, {
    onBlock: (b: StereoBlock) => {
      onBlock(b);
      for (const w of [...waiters])
        if (l.blocks.length >= w.n) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
    },
    got: (n: number) =>
      l.blocks.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  });
}

const has = (hay: Uint8Array, needle: Uint8Array): boolean =>
  Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(needle) >= 0;

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

/** A call held by `owner`, in its list. */
function call(owner: Node, over: Partial<LiveCallInfo> = {}): LiveCallInfo {
  const c = callFacts(owner.id, over);
  owner.mine.push(c);
  return c;
}

function callFacts(nodeId: string, over: Partial<LiveCallInfo> = {}): LiveCallInfo {
  return {
    callId: randomUUID(),
    recordingId: randomUUID(),
    nodeId,
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

  it(
    'R-SEC-4: a NATS client without the cluster keys hears no audio and reads no call facts, while node B hears the call',
    { timeout: 10_000 },
    async () => {
      const c = call(a, { agentId: `agent-${randomUUID()}`, team: `team-${randomUUID()}` });
      const wire = await rawClient(liveSubject(c.callId));
      const announced = await rawClient(CALLS_SUBJECT);
      try {
        a.hub.publish(c.callId, toneBlock(0)); // the first block announces the call
        await until(b, () => b.calls.get(c.callId) !== undefined);
        const l = countingListener();
        const off = b.calls.subscribe(c.callId, l);
        await b.relay.flush();
        const sent = [1, 2, 3, 4, 5].map((s) => toneBlock(s));
        for (const blk of sent) a.hub.publish(c.callId, blk);
        await l.got(sent.length);
        assert.deepEqual(
          l.blocks.map((x) => [x.seq, Buffer.from(x.pcmu).toString('hex')]),
          sent.map((x) => [x.seq, Buffer.from(x.pcmu).toString('hex')]),
          'B hears the call, intact',
        );
        await wire.hears((_m, i) => i === sent.length); // block 0 and the five: everything A sent
        const started = await announced.hears((m) => {
          const x = announcementIn(m);
          return x?.type === 'started' && x.call.callId === c.callId;
        });
        assert.ok(started);

        // What the tone looks like on the wire in clear: 32 µ-law bytes and 32 PCM samples of each block.
        const patterns = sent.flatMap((blk) => [
          Buffer.from(blk.pcmu.subarray(200, 232)),
          Buffer.from(blk.pcm.buffer, blk.pcm.byteOffset + 400, 64),
        ]);
        assert.ok(
          sent.every((blk) => has(encodeBlock(blk), Buffer.from(blk.pcmu.subarray(200, 232)))),
          'the search finds the tone in a block sent in clear',
        );
        for (const m of wire.heard)
          for (const p of patterns) assert.ok(!has(m.data, p), 'no audio in clear on NATS');
        const facts = [c.callId, c.recordingId, c.agentId ?? '', c.team ?? ''].map((f) => Buffer.from(f));
        const clear = encodeAnnouncement({ v: 1, type: 'started', call: c });
        assert.ok(
          facts.every((f) => has(clear, f)),
          'the search finds the facts in an announcement in clear',
        );
        for (const m of announced.heard)
          for (const f of facts) assert.ok(!has(m.data, f), 'no call id, agent id or team in clear on NATS');
        off();
      } finally {
        await wire.nc.close();
        await announced.nc.close();
      }
      a.mine.splice(a.mine.indexOf(c), 1);
      a.hub.disconnect(c.callId, 'ended');
      await until(b, () => b.calls.get(c.callId) === undefined);
    },
  );

  it(
    'R-SEC-4: forged, tampered, moved, stale or replayed audio from a NATS client is dropped and counted; the listener hears only the genuine blocks',
    { timeout: 10_000 },
    async () => {
      const c = call(a);
      const other = call(a);
      const wire = await rawClient(liveSubject(c.callId));
      const otherWire = await rawClient(liveSubject(other.callId));
      try {
        a.hub.publish(c.callId, toneBlock(0));
        await until(b, () => b.calls.get(c.callId) !== undefined);
        const l = countingListener();
        const off = b.calls.subscribe(c.callId, l);
        await b.relay.flush();
        const first = toneBlock(1);
        a.hub.publish(c.callId, first);
        a.hub.publish(other.callId, toneBlock(1));
        await l.got(1);
        const genuine = (await wire.hears((_m, i) => i === 1)).data; // block 1, as A sealed it
        const moved = (await otherWire.hears(() => true)).data; // sealed by A for another call

        const injected = encodeBlock(testBlock(2, 800, 7777, -7777)); // what a forger wants heard
        const tampered = Uint8Array.from(genuine);
        tampered[100] = (tampered[100] ?? 0) ^ 1; // one bit of audio ciphertext
        const resequenced = Uint8Array.from(genuine);
        resequenced[11] = (resequenced[11] ?? 0) + 1; // the sequence number, in the clear header
        const forged = [
          injected, // in clear, as NATS carried audio before
          new Sealer(randomBytes(32)).seal(liveContext(c.callId), clock.now(), injected), // not the cluster key
          tampered,
          resequenced,
          moved,
        ];
        const before = {
          forged: b.rejected.count('live_forged'),
          stale: b.rejected.count('live_stale'),
          replayed: b.rejected.count('live_replayed'),
        };
        for (const f of forged) wire.nc.publish(liveSubject(c.callId), f);
        // Sealed with the cluster key (a captured key holder's message) 31 s ago: outside the window.
        const old = new Sealer(keys.live).seal(liveContext(c.callId), clock.now() - 31_000, injected);
        wire.nc.publish(liveSubject(c.callId), old);
        wire.nc.publish(liveSubject(c.callId), genuine); // the same block again
        await Promise.all([
          b.rejected.reach('live_forged', before.forged + forged.length),
          b.rejected.reach('live_stale', before.stale + 1),
          b.rejected.reach('live_replayed', before.replayed + 1),
        ]);
        const second = toneBlock(2);
        a.hub.publish(c.callId, second);
        await l.got(2);
        assert.deepEqual(
          l.blocks.map((x) => Buffer.from(x.pcmu).toString('hex')),
          [first, second].map((x) => Buffer.from(x.pcmu).toString('hex')),
          'only the genuine audio, in order, once',
        );
        assert.deepEqual(
          [
            b.rejected.count('live_forged') - before.forged,
            b.rejected.count('live_stale') - before.stale,
            b.rejected.count('live_replayed') - before.replayed,
          ],
          [forged.length, 1, 1],
        );
        off();
      } finally {
        await wire.nc.close();
        await otherWire.nc.close();
      }
      for (const x of [c, other]) {
        a.mine.splice(a.mine.indexOf(x), 1);
        a.hub.disconnect(x.callId, 'ended');
      }
      await until(b, () => !b.calls.get(c.callId) && !b.calls.get(other.callId));
    },
  );

  it(
    'a call announced by a NATS client without the cluster keys, stale, or replayed after it ended is never listed',
    { timeout: 10_000 },
    async () => {
      const wire = await rawClient(CALLS_SUBJECT);
      try {
        // A genuine call ends; its sealed announcement was captured on the way.
        const gone = call(a);
        a.hub.publish(gone.callId, testBlock(0, 800, 1, 1));
        await until(b, () => b.calls.get(gone.callId) !== undefined);
        const captured = await wire.hears((m) => {
          const x = announcementIn(m);
          return x?.type === 'started' && x.call.callId === gone.callId;
        });
        a.mine.splice(a.mine.indexOf(gone), 1);
        a.hub.disconnect(gone.callId, 'ended');
        await until(b, () => b.calls.get(gone.callId) === undefined);

        const fake = callFacts(`rogue-${randomUUID()}`);
        const clear = encodeAnnouncement({ v: 1, type: 'started', call: fake });
        const before = {
          forged: b.rejected.count('calls_forged'),
          stale: b.rejected.count('calls_stale'),
          replayed: b.rejected.count('calls_replayed'),
        };
        wire.nc.publish(CALLS_SUBJECT, clear); // the format NATS carried before
        wire.nc.publish(CALLS_SUBJECT, new Sealer(randomBytes(32)).seal(CALLS_SUBJECT, clock.now(), clear));
        wire.nc.publish(
          CALLS_SUBJECT,
          new Sealer(keys.calls).seal(CALLS_SUBJECT, clock.now() - 31_000, clear),
        );
        wire.nc.publish(CALLS_SUBJECT, captured.data);
        // A barrier: NATS delivers one connection's messages on a subject in order, so once B lists a call
        // this connection announced with the cluster key after those four, B has judged all four.
        const marker: LiveCallInfo = { ...fake, callId: randomUUID(), nodeId: `marker-${randomUUID()}` };
        const markerSeal = new Sealer(keys.calls);
        const announce = (m: Parameters<typeof encodeAnnouncement>[0]) =>
          wire.nc.publish(CALLS_SUBJECT, markerSeal.seal(CALLS_SUBJECT, clock.now(), encodeAnnouncement(m)));
        announce({ v: 1, type: 'started', call: marker });
        await until(b, () => b.calls.get(marker.callId) !== undefined);

        assert.equal(b.calls.get(fake.callId), undefined, 'the fake call is not listed');
        assert.equal(b.calls.get(gone.callId), undefined, 'the ended call does not come back');
        assert.throws(() => b.calls.subscribe(fake.callId, recordingListener()), {
          code: 'ECOUTE_CLUSTER_CALL_NOT_LIVE',
        });
        // Other clusters' announcements on the same server are forged to this one too: at least ours.
        assert.ok(b.rejected.count('calls_forged') >= before.forged + 2);
        assert.deepEqual(
          [
            b.rejected.count('calls_stale') - before.stale,
            b.rejected.count('calls_replayed') - before.replayed,
          ],
          [1, 1],
        );
        announce({ v: 1, type: 'snapshot', nodeId: marker.nodeId, calls: [] });
        await until(b, () => b.calls.get(marker.callId) === undefined);
      } finally {
        await wire.nc.close();
      }
    },
  );

  it('a call no node holds cannot be subscribed', () => {
    assert.throws(() => b.calls.subscribe(randomUUID(), recordingListener()), {
      code: 'ECOUTE_CLUSTER_CALL_NOT_LIVE',
    });
  });
});
