/** The CLI commands of the metadata store, through the real `ecoute` process, over both dialects. */
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { forEachDialect, type DialectHarness } from './testing.ts';
import { MIGRATION_NAMES } from './migrate.ts';

const root = new URL('../..', import.meta.url).pathname;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function ecoute(h: DialectHarness, args: readonly string[]): Promise<Run> {
  const env: Record<string, string | undefined> = { ...process.env, ECOUTE_LOG_LEVEL: 'silent' };
  delete env.ECOUTE_CONFIG;
  if (h.location.url) env.ECOUTE_DATABASE_URL = h.location.url;
  else {
    delete env.ECOUTE_DATABASE_URL;
    env.ECOUTE_DATA_DIR = dirname(h.location.sqliteFile ?? '');
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const files = tempDir('ecoute-cli-');
after(() => files.remove());
const csv = (name: string, text: string): string => {
  const p = join(files.path, name);
  writeFileSync(p, text);
  return p;
};

forEachDialect('ecoute migrate / agents / recordings (real process)', (h) => {
  // Each run starts a process (~1 s, far more on a loaded machine): PostgreSQL proves the URL wiring
  // with two commands; SQLite runs them all. The repositories behind them are tested on both.
  const sqliteOnly = {
    skip: h.dialect === 'sqlite' ? false : 'CLI runs over SQLite only; repositories on both',
  };
  it('migrate reports no pending migration on a migrated store', async () => {
    const r = await ecoute(h, ['migrate']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no pending migration/);
    // The schema is at the newest migration.
    assert.match(r.stdout, new RegExp(`schema: ${MIGRATION_NAMES.at(-1)} \\(${h.dialect}\\)`));
  });

  it('agents import: a valid CSV (quotes, CRLF) creates the agents and their teams', async () => {
    const file = csv(
      `ok-${h.dialect}.csv`,
      'id,display name,team,SIP AOR or extension,protected line\r\n' +
        'a-1,"Durand, Alice",north,sip:1001@pbx.example,no\r\n' +
        'a-2,Bob Martin,south,1002,yes\r\n',
    );
    const r = await ecoute(h, ['agents', 'import', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /imported 2 agents/);
    const a1 = await h.db.agents.get('a-1');
    assert.equal(a1?.displayName, 'Durand, Alice');
    assert.equal(a1?.sipAor, 'sip:1001@pbx.example');
    assert.equal((await h.db.agents.byAor('1002'))?.protectedLine, true, 'R-EMP-5 flag imported');
    assert.deepEqual(
      (await h.db.agents.teams()).map((t) => t.id),
      ['north', 'south'],
    );
  });

  it(
    'agents import: errors name the line and column, exit non-zero, and import nothing',
    sqliteOnly,
    async () => {
      const file = csv(
        `bad-${h.dialect}.csv`,
        'id,display name,team,extension,protected\n' + 'a-9,Zoé,north,1009,no\n' + 'a-10,,north,1010,maybe\n',
      );
      const r = await ecoute(h, ['agents', 'import', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ECOUTE_AGENTS_CSV_INVALID/);
      assert.match(r.stderr, /line 3, column "display name": the display name is empty/);
      assert.match(r.stderr, /line 3, column "protected": "maybe" is not a yes\/no flag/);
      assert.equal(await h.db.agents.get('a-9'), undefined, 'all rows or none');
    },
  );

  it(
    'R-EMP-2: agents ack records the notice version and time; an unknown agent is an error',
    sqliteOnly,
    async () => {
      const r = await ecoute(h, ['agents', 'ack', 'a-1', '--notice-version', '3']);
      assert.equal(r.code, 0, r.stderr);
      const a = await h.db.agents.get('a-1');
      assert.equal(a?.noticeVersion, 3);
      assert.ok(a?.noticeAckedAt !== undefined);
      assert.equal((await h.db.agents.ackHistory('a-1')).length, 1);
      const bad = await ecoute(h, ['agents', 'ack', 'ghost', '--notice-version', '3']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /ECOUTE_AGENTS_UNKNOWN_AGENT \[R-EMP-2\]/);
    },
  );

  it(
    'agents list shows teams, lines, flags and notices; --json is machine-readable',
    sqliteOnly,
    async () => {
      const r = await ecoute(h, ['agents', 'list']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /a-1\s+Durand, Alice\s+north\s+sip:1001@pbx.example\s+-\s+v3/);
      assert.match(r.stdout, /a-2\s+Bob Martin\s+south\s+1002\s+protected\s+not acknowledged/);
      const j = await ecoute(h, ['agents', 'list', '--json', '--team', 'south']);
      assert.deepEqual(
        (JSON.parse(j.stdout) as { id: string }[]).map((a) => a.id),
        ['a-2'],
      );
    },
  );

  it(
    'recordings list --json shows id, start, duration, agent, policy, state, expiry, never the customer',
    sqliteOnly,
    async () => {
      await h.db.recordings.insert({
        id: 'rec-cli',
        callId: 'c-cli',
        policyId: 'quality',
        policyVersion: 2,
        purposes: ['quality'],
        startedAt: Date.UTC(2026, 10, 2, 9),
        direction: 'inbound',
        agentId: 'a-1',
        customerHash: 'secret-hash-value',
      });
      const r = await ecoute(h, ['recordings', 'list', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const [row] = JSON.parse(r.stdout) as Record<string, unknown>[];
      assert.deepEqual(Object.keys(row ?? {}).sort(), [
        'agentId',
        'durationMs',
        'expiresAt',
        'id',
        'policy',
        'startedAt',
        'state',
        'team',
      ]);
      assert.equal(row?.policy, 'quality@2');
      assert.doesNotMatch(r.stdout, /secret-hash-value/);
      const t = await ecoute(h, ['recordings', 'list']);
      assert.match(t.stdout, /rec-cli\s+2026-11-02T09:00:00.000Z\s+-\s+a-1\s+quality@2\s+recording/);
    },
  );
});
