/**
 * Runs `f` over `items` with at most `limit` calls in flight (batch deletions of keys and blobs: enough
 * to keep the disk or the network busy, few enough not to exhaust file descriptors or sockets).
 */
export async function eachBounded<T>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await f(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
