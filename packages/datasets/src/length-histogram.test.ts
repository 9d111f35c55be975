import { describe, expect, it } from 'vitest';
import { LengthHistogram } from './length-histogram';

const of = (lengths: number[], maxBuckets?: number) => {
  const h = new LengthHistogram();
  for (const n of lengths) h.add(n);
  return h.toJSON(maxBuckets);
};

describe('LengthHistogram', () => {
  it('is empty before anything is added', () => {
    expect(of([])).toEqual([]);
  });

  it('uses width 1 when the lengths span fewer values than buckets', () => {
    expect(of([3, 3, 5])).toEqual([
      { from: 3, to: 4, count: 2 },
      { from: 4, to: 5, count: 0 },
      { from: 5, to: 6, count: 1 },
    ]);
  });

  it('buckets a wide span into round, contiguous widths that hold every length', () => {
    const lengths = [12, 40, 99, 100, 101, 250, 999, 1003];
    const buckets = of(lengths, 10);
    expect(buckets.length).toBeLessThanOrEqual(10);
    const width = buckets[0]!.to - buckets[0]!.from;
    expect([1, 2, 5].some((s) => width === s * 10 ** Math.floor(Math.log10(width)))).toBe(true);
    for (const [i, b] of buckets.entries()) {
      expect(b.to - b.from).toBe(width);
      if (i) expect(b.from).toBe(buckets[i - 1]!.to);
    }
    expect(buckets[0]!.from).toBeLessThanOrEqual(12);
    expect(buckets.at(-1)!.to).toBeGreaterThan(1003);
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(lengths.length);
    for (const n of lengths) {
      expect(buckets.find((b) => b.from <= n && n < b.to)!.count).toBeGreaterThan(0);
    }
  });
});
