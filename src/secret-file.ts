/** Secrets kept as files in the data directory: created once with mode 0600, refused if others can read them. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function loadOrCreateSecret(path: string, bytes = 32): Promise<Buffer> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const fh = await open(path, 'wx', 0o600);
    try {
      await fh.writeFile(randomBytes(bytes));
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = await stat(path);
  if ((st.mode & 0o077) !== 0) throw new Error(`${path} is readable by others: chmod 600 it`);
  return readFile(path);
}
