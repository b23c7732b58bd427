import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig } from './config.ts';
import { FIELDS } from './config.fields.ts';
import { isEcouteError } from '../errors.ts';
import { ConfigErrors } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'ecoute-config-'));

test('defaults need no file and no environment', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.http.port, 8080);
  assert.equal(c.blobs.kind, 'fs');
  assert.equal(c.database.url, undefined);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.http));
});

test('a YAML file and the environment are merged, the environment last', () => {
  const file = join(dir, 'ecoute.yaml');
  writeFileSync(file, 'http:\n  port: 9000\nsip:\n  transports: [udp]\n');
  const c = loadConfig({ file, env: { ECOUTE_HTTP_PORT: '9100' } });
  assert.equal(c.http.port, 9100);
  assert.deepEqual(c.sip.transports, ['udp']);
});

test('ECOUTE_CONFIG names a JSON file', () => {
  const file = join(dir, 'ecoute.json');
  writeFileSync(file, JSON.stringify({ dataDir: '/var/lib/ecoute' }));
  assert.equal(loadConfig({ env: { ECOUTE_CONFIG: file } }).dataDir, '/var/lib/ecoute');
});

test('a wrong field stops start-up naming the field, the value and what was expected', () => {
  assert.throws(
    () => loadConfig({ env: { ECOUTE_HTTP_PORT: 'eighty' } }),
    (e) =>
      isEcouteError(e, ConfigErrors.INVALID_FIELD) &&
      /http\.port/.test(e.message) &&
      /"eighty"/.test(e.message) &&
      /integer from 0 to 65535/.test(e.message),
  );
});

test('an unknown field in the file is refused by name', () => {
  const file = join(dir, 'typo.yaml');
  writeFileSync(file, 'http:\n  prot: 80\n');
  assert.throws(
    () => loadConfig({ file, env: {} }),
    (e) => isEcouteError(e, ConfigErrors.UNKNOWN_FIELD) && /http\.prot/.test(e.message),
  );
});

test('secrets are never echoed in errors', () => {
  assert.throws(
    () => loadConfig({ env: {}, overrides: { 'vault.masterKey': 42n } }),
    (e) => isEcouteError(e) && !/42/.test(e.message) && /hidden/.test(e.message),
  );
});

test('R-SEC-2: access-log retention above 365 days needs a documented reason', () => {
  assert.throws(() => loadConfig({ env: { ECOUTE_AUDIT_RETENTION_DAYS: '700' } }), /audit\.retentionDays/);
  const c = loadConfig({
    env: { ECOUTE_AUDIT_RETENTION_DAYS: '700', ECOUTE_AUDIT_RETENTION_REASON: 'litigation' },
  });
  assert.equal(c.audit.retentionDays, 700);
  assert.throws(() => loadConfig({ env: { ECOUTE_AUDIT_RETENTION_DAYS: '100' } }), /from 183 to 1095/);
});

test('docs/configuration.md documents every field and its environment variable', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  for (const f of FIELDS) {
    assert.ok(doc.includes(`\`${f.path}\``), `docs/configuration.md lacks ${f.path}`);
    assert.ok(doc.includes(`\`${f.env}\``), `docs/configuration.md lacks ${f.env}`);
  }
});
