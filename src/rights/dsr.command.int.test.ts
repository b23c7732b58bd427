import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/support/tmp.ts';
import { buildProgram, runCli } from '../cli/cli.ts';
import { dsrCommands } from '../cli/commands/dsr.command.ts';
import { holdsCommands } from '../cli/commands/holds.command.ts';
import { retentionCommands } from '../cli/commands/retention.command.ts';

async function cli(config: string, ...args: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => void (out += `${t}\n`), err: (t: string) => void (err += `${t}\n`) };
  const program = buildProgram([dsrCommands, holdsCommands, retentionCommands], io);
  const status = await runCli(program, ['--config', config, ...args], io.err);
  return { status, out, err };
}

test('R-DSR-3 R-RET-6: `ecoute dsr` and `ecoute holds` on the embedded store', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const config = join(tmp.path, 'ecoute.json');
  writeFileSync(config, JSON.stringify({ dataDir: join(tmp.path, 'data') }));
  const reg = await cli(
    config,
    'dsr',
    'register',
    'access',
    '--number',
    '06 12 34 56 78',
    '--received',
    '2026-01-31T10:00:00Z',
  );
  assert.equal(reg.status, 0, reg.err);
  assert.match(reg.out, /access {2}due 2026-02-28/);
  const id = reg.out.split(' ')[0] ?? '';
  const list = await cli(config, 'dsr', 'list');
  assert.match(list.out, new RegExp(`${id}.*OVERDUE`));
  const ext = await cli(
    config,
    'dsr',
    'extend',
    id,
    '--reason',
    'Volume exceptionnel',
    '--notice-sent',
    '2026-02-01',
  );
  assert.notEqual(ext.status, 0, 'too late to extend: the first month is over');
  assert.match(ext.err, /ECOUTE_RIGHTS_EXTENSION_REFUSED/);
  const closed = await cli(config, 'dsr', 'close', id, '--refuse', 'Identité du demandeur non établie');
  assert.match(closed.out, /refused/);
  const hold = await cli(
    config,
    'holds',
    'create',
    '--reason',
    'Litige',
    '--owner',
    'legal',
    '--review',
    '2099-01-01',
  );
  assert.equal(hold.status, 0, hold.err);
  assert.match((await cli(config, 'holds', 'list')).out, /owner legal/);
  const ret = await cli(config, 'retention', 'run');
  assert.match(ret.out, /recordings shredded 0/);
});
