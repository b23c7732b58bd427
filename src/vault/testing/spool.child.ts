/**
 * Child process for the kill -9 test: appends patterned audio to a spool as fast as it can and prints
 * `durable N` on stdout after each sync. Usage: spool.child.ts DIR RECORDING_ID
 */
import { vaultAt, pattern } from './vault.fixture.ts';

const [dir, id] = process.argv.slice(2);
if (!dir || !id) throw new Error('usage: spool.child.ts DIR RECORDING_ID');
const { vault } = vaultAt(dir);
const writer = await vault.openSpool(id, {
  format: 'pcmu/8000/2',
  onDurable: (n) => process.stdout.write(`durable ${n}\n`),
});
let offset = 0;
const FRAME = 320; // 20 ms of stereo µ-law
const step = (): void => {
  writer.append(pattern(offset, FRAME));
  offset += FRAME;
  if (offset < 50_000_000) setImmediate(step);
};
step();
