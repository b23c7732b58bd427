/**
 * Child process for the crash-during-sealing test: records a call of known audio into an Opus-storage
 * vault, then seals it through a blob store that stops for good at one step and prints where it stopped,
 * so the parent can `kill -9` it there. Usage: seal-crash.child.ts DIR RECORDING_ID upload|stored
 *   upload: stops inside `put` (the blob never lands);
 *   stored: `put` completes, stops in the `head` that checks it (the blob is there, the spool too).
 */
import { join } from 'node:path';
import { FsBlobStore } from '../fs/fs.store.ts';
import type { BlobStore } from '../vault.ports.ts';
import { vaultAt } from './vault.fixture.ts';
import { callAudio } from './audio.fixture.ts';

const [dir, id, mode] = process.argv.slice(2);
if (!dir || !id || (mode !== 'upload' && mode !== 'stored'))
  throw new Error('usage: seal-crash.child.ts DIR RECORDING_ID upload|stored');

const real: BlobStore = new FsBlobStore(join(dir, 'blobs'));
const forever = (line: string): Promise<never> => {
  process.stdout.write(`${line}\n`);
  return new Promise<never>(() => undefined);
};
const blobs: BlobStore = {
  kind: 'fs',
  put: (key, body, size) => (mode === 'upload' ? forever('uploading') : real.put(key, body, size)),
  head: (key) => (mode === 'stored' ? forever('stored') : real.head(key)),
  getRange: (key, s, e) => real.getRange(key, s, e),
  delete: (key) => real.delete(key),
  deleteMany: (keys) => real.deleteMany(keys),
  list: (prefix) => real.list(prefix),
};
const { vault } = vaultAt(dir, { blobs, storage: 'opus' });
const w = await vault.openSpool(id, { format: 'pcmu/8000/2' });
w.append(callAudio(5).law);
await w.finish();
