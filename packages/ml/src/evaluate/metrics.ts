import type { ModelMetrics, Preprocess } from '@trainyard/shared';
import { argmax } from './argmax';
import { calibration } from './calibration';
import type { Evaluation } from './evaluate';
import { thresholdSweep } from './threshold-sweep';

/**
 * `metrics.json` from an evaluation: accuracy, per-class precision/recall/F1, the confusion
 * matrix, the threshold sweep (`thresholdSweep`) and calibration (`calibration`) for classifiers;
 * MAE and RMSE in the target's own units for regression.
 */
export function modelMetrics(
  evaluation: Evaluation,
  truth: ArrayLike<number>,
  pre: Preprocess,
): ModelMetrics {
  const n = evaluation.outputs.length;
  if (pre.labels) {
    const k = pre.labels.length;
    const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    evaluation.outputs.forEach((row, i) => {
      matrix[truth[i]!]![argmax(row)]!++;
    });
    const perClass = pre.labels.map((label, c) => {
      const tp = matrix[c]![c]!;
      const predicted = matrix.reduce((s, r) => s + r[c]!, 0);
      const support = matrix[c]!.reduce((s, v) => s + v, 0);
      const precision = predicted ? tp / predicted : 0;
      const recall = support ? tp / support : 0;
      return {
        label,
        precision,
        recall,
        f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
        support,
      };
    });
    return {
      split: 'validation',
      examples: n,
      loss: evaluation.loss,
      accuracy: evaluation.accuracy,
      mae: null,
      rmse: null,
      per_class: perClass,
      confusion_matrix: matrix,
      labels: pre.labels,
      threshold_sweep: thresholdSweep(evaluation.outputs, truth, pre.labels),
      calibration: n ? calibration(evaluation.outputs, truth) : null,
    };
  }
  const { mean, std } = pre.target!;
  let abs = 0;
  let sq = 0;
  evaluation.outputs.forEach((row, i) => {
    const error = row[0]! * std + mean - truth[i]!;
    abs += Math.abs(error);
    sq += error * error;
  });
  return {
    split: 'validation',
    examples: n,
    loss: evaluation.loss,
    accuracy: null,
    mae: abs / n,
    rmse: Math.sqrt(sq / n),
    per_class: null,
    confusion_matrix: null,
    labels: null,
    threshold_sweep: null,
    calibration: null,
  };
}
