/**
 * RTP port allocation: runs of consecutive even ports N, N+2, … (so stock sipp's play_pcap_audio, which
 * remaps a pcap's ports relative to the first m= line, can feed every stream; PROTOCOLS.md C.2). RTCP at
 * N+1 belongs to the same allocation. A released port cools down before reuse so late packets of the old
 * call cannot land in a new one.
 */
export class PortPool {
  readonly #min: number;
  readonly #max: number;
  readonly #busy = new Set<number>();
  readonly #coolUntil = new Map<number, number>();
  #cursor: number;

  constructor(
    portMin: number,
    portMax: number,
    private readonly cooldownMs: number,
    private readonly now: () => number,
  ) {
    this.#min = portMin + (portMin & 1);
    this.#max = portMax;
    this.#cursor = this.#min;
  }

  /** Takes `count` consecutive even ports, or returns undefined when no run is free. */
  take(count: number): number[] | undefined {
    const span = this.#max - this.#min + 1;
    const starts = Math.max(1, Math.floor(span / 2));
    const t = this.now();
    for (let tried = 0; tried < starts; tried++) {
      const first = this.#cursor;
      this.#cursor += 2;
      if (this.#cursor + 2 * count - 1 > this.#max) this.#cursor = this.#min;
      if (first + 2 * count - 1 > this.#max) continue;
      const ports = Array.from({ length: count }, (_, i) => first + 2 * i);
      if (ports.every((p) => this.#free(p, t))) {
        for (const p of ports) this.#busy.add(p);
        this.#cursor = first + 2 * count;
        if (this.#cursor > this.#max) this.#cursor = this.#min;
        return ports;
      }
    }
    return undefined;
  }

  /** Returns ports; they cool down for `cooldownMs` (or `holdMs`, e.g. after a failed bind). */
  give(ports: readonly number[], holdMs = this.cooldownMs): void {
    const until = this.now() + holdMs;
    for (const p of ports) {
      this.#busy.delete(p);
      this.#coolUntil.set(p, until);
    }
  }

  #free(p: number, t: number): boolean {
    if (this.#busy.has(p)) return false;
    const until = this.#coolUntil.get(p);
    if (until === undefined) return true;
    if (until > t) return false;
    this.#coolUntil.delete(p);
    return true;
  }
}
