/** Local files the vault reads whole or by range: spools and containers being sealed. */
import type { Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { RangeSource } from './container.reader.ts';

/** A file opened for range reads; the caller closes it. */
export async function fileSource(path: string): Promise<RangeSource & { close(): Promise<void> }> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  return {
    size,
    read: async (start, end) => {
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      return buf;
    },
    close: () => fh.close(),
  };
}

/** The file's bytes in 1 MiB parts for an upload, hashed on the way. */
export async function* hashedFile(path: string, hash: Hash): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    for await (const part of fh.createReadStream({ highWaterMark: 1 << 20, autoClose: false })) {
      const b = part as Buffer;
      hash.update(b);
      yield b;
    }
  } finally {
    await fh.close();
  }
}
