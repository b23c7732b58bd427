import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { consolePlugin } from './console.routes.ts';
import { installRouteGuard, type RouteRecord } from '../guard.ts';
import { tempDir } from '../../../test/support/tmp.ts';

/** A built console on the real filesystem, shaped like Vite's output. */
function fakeDist(root: string): string {
  const dist = join(root, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><html lang="fr"><div id="app"></div></html>');
  writeFileSync(join(dist, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  return dist;
}

async function appWith(distDir: string): Promise<{ app: FastifyInstance; routes: RouteRecord[] }> {
  const app = Fastify();
  const routes: RouteRecord[] = [];
  // The API's own guard: it refuses any route without a schema and config.access.
  installRouteGuard(app, routes);
  await app.register(consolePlugin, { distDir });
  await app.ready();
  return { app, routes };
}

test('the console serves index.html at / and for client routes (SPA fallback), revalidated', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { app } = await appWith(fakeDist(tmp.path));
  for (const url of ['/', '/recordings', '/recordings/rec-1?x=1', '/dpo/audit']) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 200, url);
    assert.match(String(r.headers['content-type']), /text\/html/);
    assert.match(r.body, /<div id="app">/);
    assert.equal(r.headers['cache-control'], 'no-cache');
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
  }
  await app.close();
});

test('hashed assets are cached for a year as immutable; a missing asset is a 404, not the SPA', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { app } = await appWith(fakeDist(tmp.path));
  const ok = await app.inject({ url: '/assets/index-AbC123.js' });
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(ok.headers['content-type']), /javascript/);
  const missing = await app.inject({ url: '/assets/index-Gone99.js' });
  assert.equal(missing.statusCode, 404);
  const plain = await app.inject({ url: '/robots.txt' });
  assert.equal(plain.statusCode, 200);
  assert.equal(plain.headers['cache-control'], 'no-cache');
  await app.close();
});

test('API paths never fall back to the console, and no file outside the build is served', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  writeFileSync(join(tmp.path, 'secret.txt'), 'outside');
  const { app } = await appWith(fakeDist(tmp.path));
  for (const url of ['/api/not-a-route', '/api', '/health']) {
    const r = await app.inject({ url });
    assert.equal(r.statusCode, 404, url);
    assert.doesNotMatch(r.body, /id="app"/);
  }
  for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
    const r = await app.inject({ url });
    assert.doesNotMatch(r.body, /outside/, url);
  }
  await app.close();
});

test('every console route passes the API route guard (public, hidden schema)', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { app, routes } = await appWith(fakeDist(tmp.path));
  assert.ok(routes.length >= 2);
  for (const r of routes) assert.equal(r.access, 'public');
  await app.close();
});

test('without a build, / says how to build the console (503) instead of a blank page', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { app } = await appWith(join(tmp.path, 'nothing-here'));
  const r = await app.inject({ url: '/' });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /build-web\.mjs/);
  await app.close();
});
