import { describe, expect, it } from 'vitest';
import { calibration } from './calibration';
import { thresholdSweep } from './threshold-sweep';

const rows = (...xs: number[][]) => xs.map((x) => Float32Array.from(x));

describe('calibration (Guo et al. 2017, 10 equal-width bins)', () => {
  it('is 0 when confidence equals accuracy in every bin, |acc − conf| weighted by bin size otherwise', () => {
    // Two examples at confidence 0.75, one right and one wrong: accuracy 0.5 in bin (0.7, 0.8].
    const half = calibration(rows([0.75, 0.25], [0.75, 0.25]), [0, 1]);
    expect(half.expected_calibration_error).toBeCloseTo(0.25, 6);
    expect(half.bins[7]).toMatchObject({ count: 2, accuracy: 0.5 });
    expect(half.bins[7]!.confidence).toBeCloseTo(0.75, 6);
    expect(half.bins.filter((b) => b.count === 0).every((b) => b.accuracy === null)).toBe(true);

    // Confidence 1 and always right: perfectly calibrated, counted in the last bin (0.9, 1].
    const sure = calibration(rows([1, 0], [0, 1]), [0, 1]);
    expect(sure.expected_calibration_error).toBe(0);
    expect(sure.bins[9]!.count).toBe(2);
    expect(sure.bins).toHaveLength(10);
  });
});

describe('thresholdSweep', () => {
  it('binary: precision, recall and F1 of the second label at each threshold', () => {
    // Positive-class scores 0.9 (pos), 0.6 (neg), 0.3 (pos), 0.1 (neg).
    const out = rows([0.1, 0.9], [0.4, 0.6], [0.7, 0.3], [0.9, 0.1]);
    const sweep = thresholdSweep(out, [1, 0, 1, 0], ['ham', 'spam']);
    expect(sweep.positive_label).toBe('spam');
    expect(sweep.points.map((p) => p.threshold)[0]).toBeCloseTo(0.05);
    expect(sweep.points).toHaveLength(19);
    const at = (t: number) => sweep.points.find((p) => Math.abs(p.threshold - t) < 1e-9)!;
    expect(at(0.25)).toMatchObject({ precision: 2 / 3, recall: 1 });
    expect(at(0.5)).toMatchObject({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(at(0.95)).toMatchObject({ precision: null, recall: 0, f1: null });
    // Top-1 scores 0.9, 0.6, 0.7, 0.9: at 0.65 three are covered, of which two are right.
    expect(at(0.65).coverage).toBe(0.75);
    expect(at(0.65).accuracy).toBeCloseTo(2 / 3, 6);
  });

  it('multi-class: coverage and accuracy above each top-1 threshold, no precision', () => {
    const out = rows([0.8, 0.1, 0.1], [0.4, 0.35, 0.25], [0.2, 0.2, 0.6]);
    const sweep = thresholdSweep(out, [0, 1, 2], ['a', 'b', 'c']);
    expect(sweep.positive_label).toBeNull();
    const at = (t: number) => sweep.points.find((p) => Math.abs(p.threshold - t) < 1e-9)!;
    expect(at(0.3)).toMatchObject({ coverage: 1, precision: null });
    expect(at(0.3).accuracy).toBeCloseTo(2 / 3, 6);
    expect(at(0.5)).toMatchObject({ coverage: 2 / 3, accuracy: 1 });
    expect(at(0.9)).toMatchObject({ coverage: 0, accuracy: null });
  });
});
