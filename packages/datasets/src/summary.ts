/** Running min / max / mean without keeping the values. */
export class Summary {
  private n = 0;
  private sum = 0;
  private sumSq = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(value: number): void {
    this.n++;
    this.sum += value;
    this.sumSq += value * value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Adds the values another summary has seen, as if they had been added here. */
  merge(other: Summary): void {
    this.n += other.n;
    this.sum += other.sum;
    this.sumSq += other.sumSq;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  get count(): number {
    return this.n;
  }

  get mean(): number {
    return this.n ? this.sum / this.n : 0;
  }

  get std(): number {
    if (this.n < 2) return 0;
    return Math.sqrt(Math.max(0, this.sumSq / this.n - this.mean ** 2));
  }

  toJSON(): { min: number; max: number; mean: number } {
    return this.n
      ? { min: this.min, max: this.max, mean: Math.round(this.mean * 1e6) / 1e6 }
      : { min: 0, max: 0, mean: 0 };
  }
}

/** Counts per key, as a plain object sorted by key. */
export function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
}
