/** One bucket of a length histogram: lengths `from` (inclusive) to `to` (exclusive). */
export interface LengthBucket {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** The smallest of 1, 2, 5 × 10^k that is at least `raw` (and at least 1). */
function niceWidth(raw: number): number {
  if (raw <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

/**
 * Counts integer lengths (characters per text) exactly, one map entry per distinct length, and
 * buckets them at the end into equal-width buckets of a round width (1, 2, 5 × 10^k).
 */
export class LengthHistogram {
  private readonly counts = new Map<number, number>();

  add(length: number): void {
    this.counts.set(length, (this.counts.get(length) ?? 0) + 1);
  }

  /**
   * At most `maxBuckets` (default 20) contiguous buckets from the one holding the shortest length
   * to the one holding the longest, empty buckets included; `[]` when nothing was added.
   */
  toJSON(maxBuckets = 20): LengthBucket[] {
    if (this.counts.size === 0) return [];
    const lengths = [...this.counts.keys()];
    const min = Math.min(...lengths);
    const max = Math.max(...lengths);
    let width = niceWidth((max + 1 - min) / maxBuckets);
    // A round width can need one bucket more than asked when min is not on a boundary.
    while (Math.ceil((max + 1 - Math.floor(min / width) * width) / width) > maxBuckets)
      width = niceWidth(width + 1);
    const first = Math.floor(min / width) * width;
    const n = Math.ceil((max + 1 - first) / width);
    const buckets = Array.from({ length: n }, (_, i) => ({
      from: first + i * width,
      to: first + (i + 1) * width,
      count: 0,
    }));
    for (const [length, count] of this.counts) {
      buckets[Math.floor((length - first) / width)]!.count += count;
    }
    return buckets;
  }
}
