import type { ThresholdSweep } from '@trainyard/shared';
import { argmax } from './argmax';

/** 0.05, 0.10, … 0.95. */
export const SWEEP_THRESHOLDS: readonly number[] = Array.from(
  { length: 19 },
  (_, k) => (k + 1) / 20,
);

const ratio = (a: number, b: number) => (b ? a / b : null);

/**
 * A classifier's threshold sweep over `thresholds` (default 0.05 … 0.95). At each: the coverage
 * (fraction of examples whose top-1 score is ≥ the threshold, what the predict endpoint's
 * `threshold` keeps) and the top-1 accuracy of those; for two classes also precision, recall and
 * F1 of the positive class (`labels[1]`), calling an example positive when its score for that
 * class is ≥ the threshold (scikit-learn's `precision_recall_curve` convention). Undefined ratios
 * (nothing covered, no positive calls) are null. `outputs` are class-probability rows, `truth` the
 * class index of each.
 */
export function thresholdSweep(
  outputs: readonly Float32Array[],
  truth: ArrayLike<number>,
  labels: readonly string[],
  thresholds: readonly number[] = SWEEP_THRESHOLDS,
): ThresholdSweep {
  const binary = labels.length === 2;
  const n = outputs.length;
  const tops = outputs.map((row) => argmax(row));
  const positives = binary ? Array.from(truth).filter((t) => t === 1).length : 0;
  const points = thresholds.map((threshold) => {
    let covered = 0;
    let right = 0;
    let called = 0;
    let hits = 0;
    outputs.forEach((row, i) => {
      if (row[tops[i]!]! >= threshold) {
        covered++;
        if (tops[i] === truth[i]) right++;
      }
      if (binary && row[1]! >= threshold) {
        called++;
        if (truth[i] === 1) hits++;
      }
    });
    const precision = binary ? ratio(hits, called) : null;
    const recall = binary ? ratio(hits, positives) : null;
    const f1 =
      precision === null || recall === null
        ? null
        : precision + recall
          ? (2 * precision * recall) / (precision + recall)
          : 0;
    return {
      threshold,
      coverage: n ? covered / n : 0,
      accuracy: ratio(right, covered),
      precision,
      recall,
      f1,
    };
  });
  return { positive_label: binary ? labels[1]! : null, points };
}
