/**
 * A Prometheus histogram kept in a typed array: observing is a few array writes and allocates
 * nothing; the exposition lines are built on scrape, buckets made cumulative there.
 */
export class Histogram {
  /** Per-bucket (not yet cumulative) counts; the last slot is +Inf. */
  readonly #counts: Float64Array;
  #sum = 0;
  #count = 0;

  /** `bounds`: the buckets' upper bounds, ascending; +Inf is implied. */
  constructor(readonly bounds: readonly number[]) {
    this.#counts = new Float64Array(bounds.length + 1);
  }

  /** How many values were observed. */
  get count(): number {
    return this.#count;
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    this.#counts[bucket]! += 1;
    this.#sum += value;
    this.#count += 1;
  }

  /** The `_bucket`, `_sum` and `_count` samples of `name`, each with `labels` (`journal="holds"`) first. */
  samples(name: string, labels = ""): string[] {
    const lead = labels === "" ? "" : `${labels},`;
    const tail = labels === "" ? "" : `{${labels}}`;
    const lines: string[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, index) => {
      cumulative += this.#counts[index]!;
      lines.push(`${name}_bucket{${lead}le="${bound}"} ${cumulative}`);
    });
    lines.push(`${name}_bucket{${lead}le="+Inf"} ${this.#count}`, `${name}_sum${tail} ${this.#sum}`, `${name}_count${tail} ${this.#count}`);
    return lines;
  }
}
