/**
 * Runs a connection's events in arrival order even when one of them awaits (the policy decision at call
 * start). Events that arrive meanwhile wait in a queue; the common case (no await pending) runs
 * synchronously with no promise per frame, which matters at hundreds of calls × 50 frames per second.
 */
export class SerialGate<T> {
  readonly #queue: T[] = [];
  #busy = false;

  constructor(
    private readonly handle: (item: T) => void | Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {}

  push(item: T): void {
    if (this.#busy) this.#queue.push(item);
    else this.#run(item);
  }

  /** Drops what is queued (a call that will not be recorded keeps nothing, R-MIN-4). */
  clear(): void {
    this.#queue.length = 0;
  }

  #run(item: T): void {
    let result: void | Promise<void>;
    try {
      result = this.handle(item);
    } catch (e) {
      this.onError(e);
      return;
    }
    if (!result) return;
    this.#busy = true;
    void result.catch(this.onError).finally(() => {
      this.#busy = false;
      while (!this.#busy && this.#queue.length > 0) this.#run(this.#queue.shift() as T);
    });
  }
}

/** WebSocket close codes used by the ingest endpoints (RFC 6455 §7.4.1). */
export const CLOSE = {
  normal: 1000,
  protocolError: 1002,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  internalError: 1011,
} as const;

/** Close reasons are limited to 123 bytes (RFC 6455 §5.5); they name the error code first. */
export function closeReason(code: string, message: string): string {
  const text = `${code}: ${message}`;
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= 123
    ? text
    : bytes
        .subarray(0, 120)
        .toString('utf8')
        .replace(/\uFFFD*$/, '') + '...';
}
