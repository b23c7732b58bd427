import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { FakeClock } from '../clock.ts';
import { openDatabase, type Db } from '../db/index.ts';
import { silentLogger } from '../log.ts';
import { Scheduler } from '../jobs/scheduler.ts';
import { WebhookEndpoints } from './endpoints.ts';
import { WebhookService, webhookCallEvents } from './webhook.service.ts';
import { verifySignature } from './signature.ts';

const dir = tempDir();
const clock = new FakeClock('2026-11-02T09:00:00Z');
let db: Db;
let server: Server;
let url: string;
const received: { body: string; signature: string | undefined; attempt: string | undefined }[] = [];
let failFirst = 2;
let arrived: () => void = () => undefined;

before(async () => {
  db = await openDatabase({ sqliteFile: join(dir.path, 'e.sqlite'), clock });
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        body,
        signature: req.headers['ecoute-signature'] as string | undefined,
        attempt: req.headers['ecoute-attempt'] as string | undefined,
      });
      res.statusCode = failFirst-- > 0 ? 503 : 204;
      res.end();
      arrived();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await db.close();
  dir.remove();
});

it('webhooks: a signed objection event is retried with exponential back-off until the endpoint accepts it', async () => {
  const endpoints = new WebhookEndpoints(db.settings, clock);
  const service = new WebhookService({
    endpoints,
    jobs: db.jobs,
    clock,
    log: silentLogger,
    baseDelayMs: 1000,
  });
  const scheduler = new Scheduler({ jobs: db.jobs, clock, log: silentLogger, owner: 'test' });
  service.register(scheduler);
  const ep = await endpoints.add({ url, events: ['call.objection', 'recording.sealed'], by: 'admin' });
  await endpoints.add({ url: `${url}?other`, events: ['request.due'], by: 'admin' });
  assert.equal(await service.emit('call.objection', { callId: 'c1', recordingId: 'r1', rule: 'R-CAL-2' }), 1);

  const delays: number[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await scheduler.tick();
    assert.equal(received.length, attempt);
    const next = (await db.jobs.list({ state: 'queued' }))[0];
    if (attempt < 3) {
      assert.ok(next, 'a retry is queued');
      delays.push(next.runAt - clock.now());
      await scheduler.tick();
      assert.equal(received.length, attempt, 'not before its time');
      clock.advance(next.runAt - clock.now());
    } else assert.equal(next, undefined, 'delivered: nothing left');
  }
  assert.deepEqual(delays, [1000, 2000]);
  assert.deepEqual(
    received.map((r) => r.attempt),
    ['1', '2', '3'],
  );
  for (const r of received) {
    const v = verifySignature(r.signature, r.body, ep.secret, Math.floor(clock.now() / 1000));
    assert.deepEqual(v, { ok: true });
    assert.equal(
      verifySignature(r.signature, r.body.replace('c1', 'c2'), ep.secret, Math.floor(clock.now() / 1000)).ok,
      false,
    );
  }
  const body = JSON.parse(received[0]!.body) as { type: string; data: Record<string, unknown> };
  assert.equal(body.type, 'call.objection');
  assert.deepEqual(body.data, { callId: 'c1', recordingId: 'r1', rule: 'R-CAL-2' });
});

it('webhooks: the recorder events map to recording.sealed and recording.deleted, never with personal data', async () => {
  received.length = 0;
  failFirst = 0;
  const endpoints = new WebhookEndpoints(db.settings, clock);
  const service = new WebhookService({ endpoints, jobs: db.jobs, clock, log: silentLogger });
  const scheduler = new Scheduler({ jobs: db.jobs, clock, log: silentLogger, owner: 'test' });
  service.register(scheduler);
  const got = new Promise<void>((r) => (arrived = r));
  webhookCallEvents(service).sealed('r9', 'c9', { interrupted: true });
  await service.settled(); // notify() queues asynchronously
  assert.equal((await db.jobs.list({ state: 'queued' })).length, 1);
  await scheduler.tick();
  await got;
  const body = JSON.parse(received[0]!.body) as { type: string; data: Record<string, unknown> };
  assert.equal(body.type, 'recording.sealed');
  assert.deepEqual(body.data, { recordingId: 'r9', callId: 'c9', interrupted: true });
});
