/**
 * Response times of one load run, kept exactly. autocannon's own percentiles come from a histogram of whole
 * milliseconds: at a p99 of 9 ms one step is 11 %, wider than the 1.10× target it is meant to judge.
 */
export class Latencies {
  private values = new Float64Array(65_536);
  private count = 0;

  /** One response time in milliseconds (fractional, as autocannon measures it with `hrtime`). */
  record(ms: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = ms;
  }

  /** Nearest-rank percentiles (e.g. `[50, 99]`), in milliseconds; NaN when nothing was recorded. */
  percentiles(ranks: readonly number[]): number[] {
    if (this.count === 0) return ranks.map(() => Number.NaN);
    const sorted = this.values.slice(0, this.count).sort();
    return ranks.map(
      (p) => sorted[Math.min(this.count, Math.max(1, Math.ceil((p / 100) * this.count))) - 1]!,
    );
  }
}
