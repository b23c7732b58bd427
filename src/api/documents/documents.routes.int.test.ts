import { it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { forEachDialect } from '../../db/testing.ts';
import { validFile } from '../../policy/testing/fixtures.ts';
import { assertValidPolicyFile } from '../../policy/validate.ts';
import { AckService } from '../../rights/ack.ts';
import { installProblemHandler, problemSchema } from '../problem.ts';
import { installRouteGuard, type RouteRecord } from '../guard.ts';
import { documentsRoutes } from './documents.routes.ts';

forEachDialect('documents routes', (h) => {
  it('R-CAL-3 R-EMP-2: the full notice is public; an agent acknowledges through their link', async (t) => {
    const file = assertValidPolicyFile(validFile());
    const acks = new AckService({
      agents: h.db.agents,
      clock: h.clock,
      key: Buffer.alloc(32, 1),
      currentVersion: () => file.notices.employee.version,
    });
    const app = Fastify();
    t.after(() => app.close());
    app.addSchema(problemSchema);
    installProblemHandler(app);
    const routes: RouteRecord[] = [];
    installRouteGuard(app, routes);
    await app.register(
      documentsRoutes({
        policyFile: () => Promise.resolve(file),
        options: { accessLogDays: 365 },
        acks,
        compliance: () => Promise.reject(new Error('not used')),
      }),
    );
    const fr = await app.inject({ method: 'GET', url: '/notice/fr' });
    assert.equal(fr.statusCode, 200);
    assert.match(String(fr.headers['content-type']), /text\/html/);
    assert.match(fr.body, /CNIL/);
    assert.match((await app.inject({ method: 'GET', url: '/notice/en' })).body, /Your rights/);
    assert.equal((await app.inject({ method: 'GET', url: '/notice/de' })).statusCode, 400);

    await h.db.agents.upsert({ id: 'agent-5', displayName: 'Agent 5' });
    const link = await acks.link('agent-5');
    const page = await app.inject({ method: 'GET', url: link });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<form method="post">/);
    const done = await app.inject({ method: 'POST', url: link });
    assert.equal(done.statusCode, 200);
    assert.equal((await h.db.agents.get('agent-5'))?.noticeVersion, 3);
    assert.equal(
      (await app.inject({ method: 'POST', url: `${link}x` })).statusCode >= 400,
      true,
      'a tampered link is refused',
    );
    assert.deepEqual(
      routes
        .filter((r) => r.access === 'public')
        .map((r) => r.url)
        .sort(),
      ['/ack/:token', '/ack/:token', '/notice/:lang'],
    );
  });
});
