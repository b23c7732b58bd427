import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { openApiDocument } from './openapi.ts';
import { installRouteGuard } from './guard.ts';

test('docs/openapi.json is current (regenerate with node --import tsx src/api/openapi.ts)', async () => {
  const current = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
  assert.equal(await openApiDocument(), current);
  const doc = JSON.parse(current) as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/api/recordings/{id}/audio']);
});

test('a route registered without config.access or a schema is refused', () => {
  const app = Fastify();
  installRouteGuard(app, []);
  assert.throws(
    () => app.get('/x', { schema: { response: { 200: { type: 'string' } } } }, () => 'x'),
    /ROUTE_UNGUARDED|lacks/,
  );
  assert.throws(() => app.get('/y', { config: { access: 'search' } }, () => 'y'), /lacks/);
});
