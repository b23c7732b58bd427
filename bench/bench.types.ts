/** One figure of a benchmark. Where a baseline was measured in the same run, `ratio` = value / baseline. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly ratio?: number;
  /** The target as text, e.g. ">= 0.8 of raw" or "< 5 ms". */
  readonly target?: string;
  /** Whether the target is met, when one is stated. */
  readonly met?: boolean;
  readonly note?: string;
}

export interface BenchModule {
  run(args: readonly string[]): Promise<BenchResult[]>;
}
