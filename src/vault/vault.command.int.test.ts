import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { buildProgram, runCli } from '../cli/cli.ts';
import { vaultCommand } from '../cli/commands/vault.command.ts';
import { pattern, vaultAt } from './testing/vault.fixture.ts';

test('ecoute vault verify reports a missing blob and exits 1; one healthy recording exits 0', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const { vault, dir } = vaultAt(tmp.path);
  for (const id of ['fine', 'lost']) {
    const w = await vault.openSpool(id, { format: 'pcmu/8000/2' });
    w.append(pattern(0, 3000));
    await w.finish();
  }
  await unlink(join(dir, 'blobs', 'recordings', 'lost.ecvt'));
  const lines: string[] = [];
  const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
  const run = (args: string[]) =>
    runCli(buildProgram([vaultCommand(() => Promise.resolve(vault))], io), args, io.err);
  assert.equal(await run(['vault', 'verify']), 1);
  assert.ok(lines.includes('missing  lost'), lines.join('\n'));
  assert.match(lines[0] ?? '', /checked 2: 1 ok, 1 missing/);
  lines.length = 0;
  assert.equal(await run(['vault', 'verify', 'fine']), 0, lines.join('\n'));
});
