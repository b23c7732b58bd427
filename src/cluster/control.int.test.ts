/**
 * Call control across nodes (issue 10) on a real NATS server: two in-process nodes, each with its recorder,
 * spool, live hub, API and cluster membership built by joinCluster, on one SQLite database (the shared
 * metadata store of a cluster, with the key store the control key derives from). A call held by A is
 * paused, resumed, flagged and destroyed by presses that land on B's API; refusals stay on B; a forged,
 * replayed or misdirected request is refused by A; an owner that does not answer is a 503, never a success.
 * A call announced by a NATS client without the cluster keys is unknown to B's API (404), and counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  connect as natsConnect,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { WebSocket } from 'ws';
import { FakeClock } from '../clock.ts';
import type { Db } from '../db/index.ts';
import { silentLogger } from '../log.ts';
import { loadConfig } from '../config/config.ts';
import { EcouteMetrics } from '../metrics/metrics.ts';
import { AccessLog } from '../audit/access-log.ts';
import { buildApp } from '../api/app.ts';
import { IdentityStore } from '../api/auth/identity.store.ts';
import type { CallFactsInput, CallHandle } from '../capture/capture.port.ts';
import {
  EXAMPLE_POLICY,
  recorderHarness,
  type RecorderHarness,
} from '../capture/testing/recorder.harness.ts';
import { parsePolicyText } from '../policy/parse.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { joinCluster, type Cluster } from './cluster.wiring.ts';
import { clusterKeys, type ClusterKeys } from './control.key.ts';
import {
  controlSubject,
  decodeReply,
  decodeRequest,
  encodeRequest,
  type ControlRequest,
} from './control.wire.ts';
import { CALLS_SUBJECT, encodeAnnouncement, type CallsAnnouncement, type LiveCallInfo } from './live.wire.ts';
import { Sealer } from './sealed.wire.ts';
import { NATS_TEST_URL, natsAvailable, RejectionCounter } from './testing.ts';

const TIMEOUT_MS = 1000;

/** A call-control answer or a problem. */
interface Body {
  readonly code?: string;
  readonly rule?: string;
  readonly state?: string;
  readonly [k: string]: unknown;
}
const clock = new FakeClock('2026-11-02T09:00:00Z');
const dir = tempDir('ecoute-control-');

interface TestNode {
  readonly id: string;
  readonly h: RecorderHarness;
  readonly cluster: Cluster;
  readonly app: Awaited<ReturnType<typeof buildApp>>;
  readonly ws: string;
  readonly metrics: EcouteMetrics;
  readonly rejected: RejectionCounter;
}

/** The quality example with live listening on and no daily cap (many calls per run). */
function liveFile(): unknown {
  const f = parsePolicyText(readFileSync(EXAMPLE_POLICY, 'utf8'), 'yaml') as {
    policies: { liveListening: boolean; sampling: { maxPerAgentPerDay?: number } }[];
  };
  for (const p of f.policies) {
    p.liveListening = true;
    delete p.sampling.maxPerAgentPerDay;
  }
  return f;
}

async function node(name: string, db: Db | undefined, checkpointKey: Buffer): Promise<TestNode> {
  // A host name with dots, as in production: the node's control subject must still be one NATS token.
  const id = `${name}.ecoute.test:${process.pid}:${randomUUID().slice(0, 6)}`;
  const h = await recorderHarness(join(dir.path, name), { clock, ...(db ? { db } : {}) });
  h.policies.set(liveFile());
  const config = loadConfig({
    env: {},
    overrides: { 'nats.url': NATS_TEST_URL, 'nats.controlTimeoutMs': TIMEOUT_MS },
  });
  const metrics = new EcouteMetrics({
    nodeId: id,
    clock,
    db: h.db.kysely,
    activeCalls: () => h.recorder.active.size,
    processMetrics: false,
  });
  const rejected = new RejectionCounter(metrics);
  const cluster = await joinCluster(config, {
    node: { id, roles: ['api', 'ingest'] },
    log: silentLogger,
    clock,
    live: h.live,
    recorder: h.recorder,
    keyRing: h.keyRing,
    metrics: rejected,
  });
  const accessLog = new AccessLog({
    db: h.db.kysely,
    dialect: 'sqlite',
    clock,
    checkpointKey,
    retentionDays: 365,
  });
  const app = await buildApp({
    config,
    db: h.db.kysely,
    dialect: 'sqlite',
    clock,
    log: silentLogger,
    accessLog,
    recorder: h.recorder,
    live: h.live,
    policies: h.policies,
    numbers: h.numbers,
    cluster: cluster.calls,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { id, h, cluster, app, ws: url.replace('http://', 'ws://'), metrics, rejected };
}

/** Resolves when `pred` holds on `n`'s view of the cluster (announcements are events: no polling). */
function until(n: TestNode, pred: () => boolean): Promise<void> {
  const relay = n.cluster.relay;
  assert.ok(relay);
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const off = relay.watch(() => {
      if (pred()) {
        off();
        resolve();
      }
    });
  });
}

const facts = (): CallFactsInput => ({
  startedAt: clock.now(),
  direction: 'inbound',
  agentExtension: '1001',
  noticePlayed: true,
  noticeVersion: 2,
  noticeEndedAt: clock.now(),
  objectionSignalled: false,
  personalCall: false,
  protectedLine: false,
});

/** `ms` of a stereo tone (agent 440 Hz, customer 1 kHz) from sample `from`. */
function tone(from: number, ms: number): Int16Array {
  const n = (ms * 8000) / 1000;
  const out = new Int16Array(2 * n);
  for (let i = 0; i < n; i++) {
    const t = (from + i) / 8000;
    out[2 * i] = Math.round(6000 * Math.sin(2 * Math.PI * 440 * t));
    out[2 * i + 1] = Math.round(6000 * Math.sin(2 * Math.PI * 1000 * t));
  }
  return out;
}

/** A live listener through a node's API: resolves `open` on the start message, `closed` with the code. */
function listen(n: TestNode, callId: string, headers: Record<string, string>) {
  const ws = new WebSocket(`${n.ws}/api/calls/${callId}/listen?purpose=quality`, { headers });
  const open = new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`listen refused: ${res.statusCode}`)));
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return { open, closed };
}

describe('call control across nodes over NATS', async () => {
  if (!(await natsAvailable())) {
    it('NATS unreachable: suite SKIPPED', { skip: 'NATS unreachable' }, () => undefined);
    return;
  }
  let a: TestNode;
  let b: TestNode;
  let identity: IdentityStore;
  let key: Buffer;
  let keys: ClusterKeys;
  let spy: NatsConnection;
  let spySub: Subscription;
  const seenByA: Msg[] = [];
  const as: Record<string, Record<string, string>> = {};
  const users: Record<string, string> = {};
  let cti: Record<string, string>;
  let ctiId: string;

  before(async () => {
    const checkpointKey = randomBytes(32);
    a = await node('a', undefined, checkpointKey);
    b = await node('b', a.h.db, checkpointKey);
    identity = new IdentityStore(a.h.db.kysely, clock);
    await a.h.db.agents.upsert({ id: 'a2', displayName: 'Agent Deux', teamId: 'support' });
    for (const [login, roles, agentId] of [
      ['agent1', ['agent'], 'a1'],
      ['agent2', ['agent'], 'a2'],
      ['sup', ['supervisor'], undefined],
    ] as const) {
      const u = await identity.create({
        login,
        displayName: login,
        passwordHash: 'x',
        roles: [...roles],
        teams: login === 'sup' ? ['support'] : [],
        agentId,
      });
      if (login === 'sup') await identity.setTotp(u.id, 'JBSWY3DPEHPK3PXP', true);
      const s = await identity.openSession(u.id, login === 'sup' ? 'totp' : undefined);
      as[login] = { cookie: `ecoute_session=${s.sessionId}`, 'x-csrf-token': s.csrf };
      users[login] = u.id;
    }
    const t = await identity.createToken('cti', ['calls:control']);
    cti = { authorization: `Bearer ${t.token}` };
    ctiId = `token:${t.id}`;
    // The test derives the same key as the nodes: one key store, one master key.
    keys = await clusterKeys(a.h.keyRing);
    key = keys.control;
    // A second subscriber on A's control subject sees every request sent to A, in order.
    spy = await natsConnect({ servers: NATS_TEST_URL });
    spySub = spy.subscribe(controlSubject(a.id), { callback: (_e, m) => void seenByA.push(m) });
    await spy.flush();
  });

  after(async () => {
    await spy?.close();
    for (const n of [b, a]) {
      if (!n) continue;
      await n.app.close();
      await n.cluster.close();
    }
    await a?.h.close();
    dir.remove();
  });

  /** Starts a recorded call on A, with 300 ms of audio, and waits until B lists it. */
  async function callOnA(): Promise<{ handle: CallHandle; callId: string; recordingId: string }> {
    const handle = await a.h.recorder.start(facts(), { name: 'twilio', ids: { callSid: randomUUID() } });
    assert.ok(handle, 'the quality policy records the call (fixed draw)');
    handle.pushStereo(tone(0, 300));
    a.cluster.relay?.tick(); // announce now rather than at the next heartbeat
    await until(b, () => b.cluster.calls.get(handle.callId) !== undefined);
    const listed = b.cluster.calls.get(handle.callId);
    assert.equal(listed?.local, false, 'B knows the call as held elsewhere');
    return { handle, callId: handle.callId, recordingId: listed.recordingId };
  }
  const press = async (n: TestNode, callId: string, path: string, headers: Record<string, string>) => {
    const r = await n.app.inject({ method: 'POST', url: `/api/calls/${callId}/${path}`, headers });
    return { status: r.statusCode, body: r.json<Body>(), text: r.body };
  };
  const stateOnA = (callId: string) => a.h.recorder.active.get(callId)?.state;
  const logRows = (action: string, objectId: string) =>
    a.h.db.kysely
      .selectFrom('accessLog')
      .selectAll()
      .where('action', '=', action)
      .where('objectId', '=', objectId)
      .orderBy('seq')
      .execute();

  it('R-PCI-1: a pause pressed on B is applied on A (gate closed, listeners on both nodes cut with 4002), logged allowed by B; resume on B reopens it', async () => {
    const { handle, callId, recordingId } = await callOnA();
    const onA = listen(a, callId, as.sup!);
    const onB = listen(b, callId, as.sup!); // over NATS
    await Promise.all([onA.open, onB.open]);
    await b.cluster.relay?.flush(); // B's subscription to the call's audio is known to the server

    const paused = await press(b, callId, 'pause', cti);
    assert.equal(paused.status, 200, paused.text);
    assert.deepEqual(paused.body, { callId, recordingId, state: 'paused' });
    assert.equal(stateOnA(callId), 'paused', 'A applied it before B answered');
    assert.deepEqual(await Promise.all([onA.closed, onB.closed]), [4002, 4002]);
    await a.h.events.wait((e) => e.kind === 'action' && e.callId === callId && e.detail === 'pause');
    handle.pushStereo(tone(2400, 300)); // card data spoken while paused: must never be stored

    // A announced the pause: B neither lists the call for listening nor lets anyone join it.
    await until(b, () => b.cluster.calls.get(callId)?.state === 'paused');
    const refused = listen(b, callId, as.sup!);
    await assert.rejects(refused.open, /404/, 'nobody listens to a paused call');

    const resumed = await press(b, callId, 'resume', cti);
    assert.deepEqual(resumed.body, { callId, recordingId, state: 'recording' });
    assert.equal(stateOnA(callId), 'recording');
    handle.pushStereo(tone(4800, 300));
    await until(b, () => b.cluster.calls.get(callId)?.state === 'recording'); // audio flows again
    await handle.end('completed');

    const log = [...(await logRows('pause', callId)), ...(await logRows('resume', callId))];
    assert.deepEqual(
      log.map((r) => [r.action, r.actor, r.role, r.objectType, r.result, JSON.parse(r.detail) as unknown]),
      [
        ['pause', ctiId, 'token', 'call', 'allowed', { recordingId }],
        ['resume', ctiId, 'token', 'call', 'allowed', { recordingId }],
      ],
      'one entry per press, written by B as for a local call',
    );
    const rec = await a.h.db.recordings.get(recordingId);
    const gap = rec?.segments.find((s) => s.kind === 'paused');
    assert.ok(gap, `the media gate closed on A: ${JSON.stringify(rec?.segments)}`);
    assert.ok(gap.startMs >= 250 && gap.endMs <= 650 && gap.endMs - gap.startMs >= 250, JSON.stringify(gap));
  });

  it('R-MIN-3: an agent pressing on B for another agent’s call is refused and logged on B, and nothing reaches A', async () => {
    const { handle, callId, recordingId } = await callOnA();
    const before = seenByA.length;
    const other = await press(b, callId, 'pause', as.agent2!);
    assert.equal(other.status, 403);
    assert.deepEqual([other.body.code, other.body.rule], ['ECOUTE_ACCESS_DENIED', 'R-MIN-3']);
    assert.equal(stateOnA(callId), 'recording');
    // The call's own agent presses next on B. B's requests reach the server in order: if the refusal had
    // sent anything to A, the spy would hold it before this one.
    const mine = await press(b, callId, 'pause', as.agent1!);
    assert.equal(mine.body.state, 'paused');
    await spy.flush();
    const sent = seenByA.slice(before).map((m) => decodeRequest(key, m.data));
    assert.deepEqual(
      sent.map((r) => [r.callId, r.action, r.by]),
      [[callId, 'pause', { kind: 'user', id: users.agent1 }]],
    );
    const rows = await logRows('pause', callId);
    assert.deepEqual(
      rows.map((r) => [r.actor, r.result]),
      [
        [users.agent2, 'denied'],
        [users.agent1, 'allowed'],
      ],
    );
    assert.match(rows[0]?.detail ?? '', /R-MIN-3/);
    assert.match(rows[0]?.detail ?? '', new RegExp(recordingId));
    await handle.end('completed');
  });

  it('R-PUR-6 / R-PCI-3: the agent flags an incident and reports card data from B; A destroys the audio', async () => {
    const { callId, recordingId } = await callOnA();
    const flagged = await press(b, callId, 'incident', as.agent1!);
    assert.deepEqual(flagged.body, { callId, recordingId, state: 'recording', incidentFlagged: true });
    const [entry] = await logRows('incident', callId);
    assert.deepEqual(JSON.parse(entry?.detail ?? '{}'), {
      recordingId,
      policyId: 'qualite-2026-q4',
      flag: 'agent_incident',
      atMs: a.h.recorder.active.get(callId)?.capturedMs,
    });
    assert.ok((a.h.recorder.active.get(callId)?.capturedMs ?? 0) > 0, 'the offset is A’s captured audio');
    const sup = await press(b, callId, 'incident', as.sup!);
    assert.equal(sup.body.rule, 'R-PUR-6', 'only the agent’s own button');

    const card = await press(b, callId, 'card-data', as.agent1!);
    assert.deepEqual(card.body, { callId, recordingId, state: 'card_data_destroyed' });
    await a.h.events.wait((e) => e.kind === 'destroyed' && e.callId === callId && e.detail === 'R-PCI-3');
    assert.equal((await a.h.db.recordings.get(recordingId))?.state, 'objected', 'destroyed before sealing');
    const gone = await press(b, randomUUID(), 'pause', cti);
    assert.equal(gone.body.code, 'ECOUTE_CALLS_NOT_IN_PROGRESS');
  });

  it('A refuses a forged, replayed, misdirected or stale request, and acts on none', async () => {
    const { handle, callId } = await callOnA();
    const refusals = ['signature', 'wrong_node', 'stale', 'replayed'] as const;
    const counted = () => refusals.map((r) => a.rejected.count(`control_${r}`));
    const countedBefore = counted();
    const ask = async (data: Uint8Array) =>
      decodeReply(key, (await spy.request(controlSubject(a.id), data, { timeout: 5000 })).data);
    const genuine: ControlRequest = {
      v: 1,
      kind: 'request',
      requestId: randomUUID(),
      callId,
      action: 'card_data',
      by: { kind: 'token', id: ctiId },
      from: b.id,
      to: a.id,
      at: clock.now(),
    };
    const forged = await ask(encodeRequest(randomBytes(32), genuine));
    assert.deepEqual([forged.outcome, 'refusal' in forged && forged.refusal], ['refused', 'signature']);
    const elsewhere = await ask(encodeRequest(key, { ...genuine, to: b.id }));
    assert.equal('refusal' in elsewhere && elsewhere.refusal, 'wrong_node');
    const stale = await ask(encodeRequest(key, { ...genuine, at: clock.now() - 31_000 }));
    assert.equal('refusal' in stale && stale.refusal, 'stale');
    assert.equal(stateOnA(callId), 'recording', 'nothing applied');

    // A press B really sent, captured on the wire and sent again: refused as a replay.
    const before = seenByA.length;
    assert.equal((await press(b, callId, 'pause', cti)).body.state, 'paused');
    await press(b, callId, 'resume', cti);
    await spy.flush();
    const captured = seenByA[before];
    assert.ok(captured);
    assert.equal(decodeRequest(key, captured.data).action, 'pause');
    const replayed = await ask(captured.data);
    assert.equal('refusal' in replayed && replayed.refusal, 'replayed');
    assert.equal(stateOnA(callId), 'recording', 'the replayed pause was not applied');
    assert.deepEqual(
      counted().map((n, i) => n - (countedBefore[i] ?? 0)),
      [1, 1, 1, 1],
      'each refusal counted in ecoute_cluster_rejected_total',
    );
    await handle.end('completed');
  });

  it('a call announced by a NATS client without the cluster keys is unknown on B: listening and pressing answer 404, and B counts it', async () => {
    const fake: LiveCallInfo = {
      callId: randomUUID(),
      recordingId: randomUUID(),
      nodeId: a.id, // posing as A
      team: 'support',
      agentId: 'a1',
      queue: null,
      direction: 'inbound',
      policyId: 'qualite-2026-q4',
      purposes: ['quality'],
      liveListening: true,
      startedAt: clock.now(),
      state: 'recording',
    };
    const started: CallsAnnouncement = { v: 1, type: 'started', call: fake };
    const forgedBefore = b.rejected.count('calls_forged');
    const rc = await natsConnect({ servers: NATS_TEST_URL });
    try {
      rc.publish(CALLS_SUBJECT, encodeAnnouncement(started)); // in clear, as before announcements were sealed
      rc.publish(
        CALLS_SUBJECT,
        new Sealer(randomBytes(32)).seal(CALLS_SUBJECT, clock.now(), encodeAnnouncement(started)),
      );
      // A barrier: once B lists a call this connection announced next with the cluster key, B has judged
      // the two before it (NATS keeps one connection's order on a subject).
      const marker: LiveCallInfo = { ...fake, callId: randomUUID(), nodeId: `marker-${randomUUID()}` };
      const seal = new Sealer(keys.calls);
      const announce = (m: CallsAnnouncement) =>
        rc.publish(CALLS_SUBJECT, seal.seal(CALLS_SUBJECT, clock.now(), encodeAnnouncement(m)));
      announce({ v: 1, type: 'started', call: marker });
      await until(b, () => b.cluster.calls.get(marker.callId) !== undefined);

      assert.equal(b.cluster.calls.get(fake.callId), undefined);
      const listed = await b.app.inject({ method: 'GET', url: '/api/calls/live', headers: as.sup! });
      assert.equal(listed.statusCode, 200);
      assert.ok(listed.body.includes(marker.callId), 'the live list holds calls held elsewhere');
      assert.ok(!listed.body.includes(fake.callId), 'but not the fake one');
      const pressed = await press(b, fake.callId, 'pause', cti);
      assert.deepEqual([pressed.status, pressed.body.code], [404, 'ECOUTE_CALLS_NOT_IN_PROGRESS']);
      await assert.rejects(listen(b, fake.callId, as.sup!).open, /404/, 'nobody listens to it');
      assert.deepEqual(await logRows('pause', fake.callId), [], 'as for an unknown call: no trace');
      // Other clusters on the same NATS server are forged to this one too: at least these two.
      assert.ok(b.rejected.count('calls_forged') >= forgedBefore + 2);
      const exposed = await b.metrics.text();
      const line = exposed
        .split('\n')
        .find((l) => l.startsWith('ecoute_cluster_rejected_total{kind="calls_forged"'));
      assert.ok(line && Number(line.split(' ').pop()) >= forgedBefore + 2, `metric exposed: ${line}`);
      announce({ v: 1, type: 'snapshot', nodeId: marker.nodeId, calls: [] });
      await until(b, () => b.cluster.calls.get(marker.callId) === undefined);
    } finally {
      await rc.close();
    }
  });

  it('an owner that answers with a bad signature, or not at all, or is gone: 502 / 503, never a success', async () => {
    // A call announced with the cluster key (as a node of the cluster would) whose owner's control subject
    // a client of the NATS server without the key answers: NATS itself has no ACLs in Ecoute's config.
    const rogue = `rogue.ecoute.test:1:${randomUUID().slice(0, 6)}`;
    const fake: LiveCallInfo = {
      callId: randomUUID(),
      recordingId: randomUUID(),
      nodeId: rogue,
      team: 'support',
      agentId: 'a1',
      queue: null,
      direction: 'inbound',
      policyId: 'qualite-2026-q4',
      purposes: ['quality'],
      liveListening: true,
      startedAt: clock.now(),
      state: 'recording',
    };
    const rc = await natsConnect({ servers: NATS_TEST_URL });
    let answer = true;
    rc.subscribe(controlSubject(rogue), {
      callback: (_e, m) => {
        if (!answer) return;
        // It reads the request (signed, not secret) and claims success, with a MAC it cannot make.
        const req = JSON.parse(new TextDecoder().decode(m.data.subarray(32))) as ControlRequest;
        const body = new TextEncoder().encode(
          JSON.stringify({
            v: 1,
            kind: 'reply',
            requestId: req.requestId,
            from: rogue,
            outcome: 'done',
            callId: req.callId,
            recordingId: fake.recordingId,
            state: 'paused',
            capturedMs: 1000,
          }),
        );
        m.respond(new Uint8Array([...randomBytes(32), ...body]));
      },
    });
    await rc.flush();
    rc.publish(
      CALLS_SUBJECT,
      new Sealer(keys.calls).seal(
        CALLS_SUBJECT,
        clock.now(),
        encodeAnnouncement({ v: 1, type: 'started', call: fake }),
      ),
    );
    await until(b, () => b.cluster.calls.get(fake.callId) !== undefined);

    const forged = await press(b, fake.callId, 'pause', cti);
    assert.deepEqual([forged.status, forged.body.code], [502, 'ECOUTE_CLUSTER_CONTROL_FORGED']);

    answer = false;
    const silent = await press(b, fake.callId, 'card-data', cti);
    assert.deepEqual([silent.status, silent.body.code], [503, 'ECOUTE_CLUSTER_OWNER_UNREACHABLE']);
    await rc.close();

    // The real owner stops (its node is gone; B still lists its call until three silent heartbeats).
    const { handle, callId } = await callOnA();
    spySub.unsubscribe(); // no subscriber left on A's subject: NATS says so at once (no timeout)
    await spy.flush();
    await a.cluster.close();
    const started = performance.now();
    const gone = await press(b, callId, 'pause', cti);
    assert.deepEqual([gone.status, gone.body.code], [503, 'ECOUTE_CLUSTER_OWNER_UNREACHABLE']);
    assert.ok(performance.now() - started < TIMEOUT_MS, 'no responders is known without waiting');
    assert.equal(stateOnA(callId), 'recording', 'the pause never reached A');
    const rows = await logRows('pause', callId);
    assert.deepEqual(
      rows.map((r) => r.result),
      ['allowed'],
      'the press was allowed and logged; the 503 says it was not confirmed',
    );
    await handle.end('completed');
  });
});
