import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/tmp.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** Runs the real `ecoute` command, as a user would. */
function ecoute(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

test('R-PUR-3: `ecoute policy check` prints the rule, the path and the French message, and exits 1', async () => {
  const r = await ecoute('policy', 'check', 'examples/policies/invalid-systematic.yaml');
  assert.equal(r.code, 1);
  assert.match(r.out, /^R-PUR-3 +policies\[0\]\.sampling\.rate +enregistrer ou écouter en direct 100 %/m);
  assert.match(r.out, /2 violation\(s\)/);
});

test('R-PUR-1 / R-EMP-1: `--lang en` prints the English messages', async () => {
  const a = await ecoute('policy', 'check', 'examples/policies/invalid-incivilites.yaml', '--lang', 'en');
  assert.equal(a.code, 1);
  assert.match(a.out, /^R-PUR-1 +policies\[0\]\.purposes\[0\] +purpose "incivilites" refused/m);
  const b = await ecoute('policy', 'check', 'examples/policies/invalid-no-consultation.yaml', '--lang', 'en');
  assert.match(b.out, /^R-EMP-1 +organisation\.staffConsultation +no policy can be activated/m);
});

test('R-CAL-1 / R-CAL-3: `--json` gives every violation of a JSON policy file', async () => {
  const r = await ecoute('policy', 'check', 'examples/policies/invalid-notice.json', '--json');
  assert.equal(r.code, 1);
  const body = JSON.parse(r.out) as { ok: boolean; violations: { rule: string; path: string }[] };
  assert.equal(body.ok, false);
  assert.deepEqual(
    body.violations.map((v) => v.rule),
    ['R-CAL-1', 'R-CAL-3', 'R-PUR-5', 'R-RET-1', 'R-RET-2'],
  );
});

test('a valid policy file prints a summary and exits 0', async () => {
  const r = await ecoute('policy', 'check', 'examples/policies/qualite-fr.yaml');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /qualite-2026-q4 v1: quality/);
  assert.match(r.out, /sampling: 5 %, au plus 3\/agent\/jour/);
  assert.match(r.out, /campaign: 2026-11-01 → 2026-11-30/);
});

test('an unreadable file goes to stderr with ECOUTE_POLICY_UNREADABLE and a non-zero exit', async () => {
  const dir = tempDir();
  const f = join(dir.path, 'broken.yaml');
  writeFileSync(f, 'policies: [\n');
  const r = await ecoute('policy', 'check', f);
  assert.equal(r.code, 1);
  assert.match(r.err, /ECOUTE_POLICY_UNREADABLE/);
  dir.remove();
});

test('R-PUR-4: `ecoute policy explain --seed` replays the stored draw and shows every gate', async () => {
  const args = [
    'policy',
    'explain',
    'examples/policies/qualite-fr.yaml',
    '--call',
    'examples/calls/support-inbound.json',
    '--lang',
    'en',
  ];
  const first = await ecoute(...args, '--json');
  assert.equal(first.code, 0, first.err);
  const d = JSON.parse(first.out) as { draw: { seed: string; value: number }; record: boolean };
  const again = await ecoute(...args, '--json', '--seed', d.draw.seed);
  assert.deepEqual(JSON.parse(again.out), d);
  const text = await ecoute(...args, '--seed', d.draw.seed);
  assert.match(text.out, /^ {2}ok {2}R-EMP-2/m);
  assert.match(text.out, new RegExp(`seed=${d.draw.seed}`));
});

test('R-EMP-2: `ecoute policy explain` says why an uninformed agent’s call is not recorded', async () => {
  const r = await ecoute(
    'policy',
    'explain',
    'examples/policies/qualite-fr.yaml',
    '--call',
    'examples/calls/uninformed-agent.json',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^NON ENREGISTRÉ — motif: R-EMP-2/m);
  assert.match(r.out, /NO {2}R-EMP-2 .*information de l’agent/);
});
