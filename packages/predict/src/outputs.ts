import type {
  ClassScore,
  Prediction,
  PredictOptions,
  Preprocess,
} from '@trainyard/shared/portable';

/** Classes per input when the options set no `top_k`. */
export const DEFAULT_TOP_K = 5;

function classify(
  labels: readonly string[],
  row: Float32Array,
  options: PredictOptions,
): ClassScore[] {
  const order = Array.from(row.keys()).sort((a, b) => row[b]! - row[a]! || a - b);
  const k = Math.min(options.top_k ?? DEFAULT_TOP_K, labels.length);
  const best = order.slice(0, k).map((i) => ({ label: labels[i]!, score: row[i]! }));
  const threshold = options.threshold;
  if (threshold === undefined) return best;
  const kept = best.filter((c) => c.score >= threshold);
  return kept.length ? kept : [{ label: null, score: best[0]!.score }];
}

/**
 * The model's output rows as answers: classes best first (`top_k`, `threshold`), or the
 * regression value mapped back from the standardized target the model was trained on.
 */
export function toPredictions(
  pre: Preprocess,
  outputs: readonly Float32Array[],
  options: PredictOptions = {},
): Prediction[] {
  if (pre.labels) return outputs.map((row) => classify(pre.labels!, row, options));
  const { mean, std } = pre.target ?? { mean: 0, std: 1 };
  return outputs.map((row) => [{ value: row[0]! * std + mean }]);
}
