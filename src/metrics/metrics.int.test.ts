/**
 * /metrics and --roles on a real node (startEcoute in-process, SQLite file, vault on disk, loopback ports):
 * an ingest-only node serves ingest, health, readiness and metrics but no API; the recorder's decisions are
 * counted through the metrics hook (never from the access log, R-SEC-3); job lag and purge backlog come
 * from the database.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../config/config.ts';
import { startEcoute, type Running } from '../main.ts';
import { silentLogger } from '../log.ts';
import { DAY_MS } from '../clock.ts';
import { tempDir } from '../../test/support/tmp.ts';
import { EXAMPLE_POLICY } from '../capture/testing/recorder.harness.ts';
import { twilioCall } from '../cluster/testing.ts';

const TOKEN = 'metrics-token';
const dir = tempDir('ecoute-metrics-');

async function node(name: string, roles: string[]): Promise<Running> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: `${dir.path}/${name}`,
      roles,
      policyFile: EXAMPLE_POLICY,
      'http.host': '127.0.0.1',
      'http.port': 0,
      'sip.host': '127.0.0.1',
      'sip.port': 0,
      'rtp.portMin': 42000 + 2 * Math.floor(Math.random() * 4000),
      'rtp.portMax': 51000,
      'twilio.authToken': TOKEN,
      'log.level': 'silent',
    },
  });
  return startEcoute(config, { log: silentLogger, print: () => undefined, signals: false });
}

const scrape = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
};
const value = (text: string, line: RegExp): number =>
  Number(
    text
      .split('\n')
      .find((l) => line.test(l))
      ?.split(' ')
      .pop(),
  );

describe('metrics and roles', () => {
  let ingest: Running;
  let api: Running;
  before(async () => {
    ingest = await node('ingest', ['ingest']);
    api = await node('api', ['api', 'jobs']);
  });
  after(async () => {
    await ingest.close();
    await api.close();
    dir.remove();
  });

  it('--roles ingest serves ingest, /health, /ready and /metrics, and no API route', async () => {
    assert.equal((await fetch(`${ingest.url}/health`)).status, 200);
    assert.equal((await fetch(`${ingest.url}/ready`)).status, 200);
    assert.equal((await fetch(`${ingest.url}/api/openapi.json`)).status, 404);
    assert.equal((await fetch(`${ingest.url}/api/recordings`)).status, 404);
    assert.equal((await fetch(`${api.url}/api/openapi.json`)).status, 200, 'the api node serves the API');
    assert.match(await scrape(api.url), /ecoute_calls_active\{node="[^"]+"\} 0/);
  });

  it('R-SEC-3: decisions are counted by outcome and reason through the recorder hook, with no agent or call label', async () => {
    await ingest.db.agents.upsertTeam('support', 'Support');
    await ingest.db.agents.upsert({
      id: 'a1',
      displayName: 'Agent Un',
      teamId: 'support',
      extension: '1001',
      sipAor: 'sip:1001@pbx.example',
    });
    await ingest.db.agents.ack('a1', 3);
    const before = await scrape(ingest.url);
    assert.ok(!/ecoute_decisions_total\{/.test(before), 'no decision yet');
    const call = await twilioCall(ingest.url, TOKEN, 'CA-M1');
    call.send(10);
    call.stop();
    await call.closed;
    // The client's close can complete before the server has finished admitting the call (admission is
    // asynchronous, the close handshake is not): scrape until the decision shows, within a bound.
    const decisions = (t: string) => t.split('\n').filter((l) => l.startsWith('ecoute_decisions_total{'));
    let text = await scrape(ingest.url);
    for (let i = 0; i < 100 && decisions(text).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      text = await scrape(ingest.url);
    }
    const lines = decisions(text);
    assert.equal(
      lines.reduce((s, l) => s + Number(l.split(' ').pop()), 0),
      1,
      lines.join('\n'),
    );
    assert.match(lines[0] ?? '', /outcome="(recorded|not_recorded)",reason="[a-zA-Z_0-9-]+"/);
    assert.ok(!/agent|a1|1001|CA-M1/.test(lines.join('\n')), 'no agent, extension or call id in labels');
    assert.match(text, /ecoute_spool_bytes\{node="[^"]+"\} \d+/);
  });

  it('job lag is the age of the oldest due job; purge backlog counts expired recordings not shredded (R-RET-4)', async () => {
    const db = api.db;
    const now = Date.now();
    await db.jobs.enqueue('metrics-test', {}, { runAt: now - 120_000 });
    const callId = randomUUID();
    await db.calls.insert({
      id: callId,
      startedAt: now - 40 * DAY_MS,
      direction: 'inbound',
      queue: undefined,
      agentId: undefined,
      team: undefined,
      protocol: 'twilio',
      protocolIds: {},
      customerNumberEnc: undefined,
      customerHash: undefined,
      noticeVersion: undefined,
      noticeEndedAt: undefined,
    });
    const id = randomUUID();
    await db.recordings.insert({
      id,
      callId,
      policyId: 'p',
      policyVersion: 1,
      purposes: ['quality'],
      startedAt: now - 40 * DAY_MS,
      direction: 'inbound',
    });
    await db.recordings.setSealed(id, {
      endedAt: now - 40 * DAY_MS + 60_000,
      durationMs: 60_000,
      segments: [],
      codec: 'pcmu/8000/2',
      sizeBytes: 1,
      sha256: 'x',
      blobKey: 'k',
      expiresAt: now - 10 * DAY_MS,
    });
    const text = await scrape(api.url);
    assert.ok(value(text, /^ecoute_job_lag_seconds\{/) >= 120, 'two minutes late at least');
    assert.equal(value(text, /^ecoute_purge_backlog\{/), 1);
    await db.recordings.markShredded(id);
    assert.equal(value(await scrape(api.url), /^ecoute_purge_backlog\{/), 0);
  });
});
