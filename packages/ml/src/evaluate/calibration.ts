import type { Calibration } from '@trainyard/shared';
import { argmax } from './argmax';

/**
 * Calibration of a classifier's top-1 score (Guo et al. 2017, "On Calibration of Modern Neural
 * Networks", section 2): the examples are put in `bins` equal-width confidence bins
 * ((0, 1/bins], …, ((bins-1)/bins, 1]; a score of 0 goes to the first), and the expected
 * calibration error is Σ_b (|B_b| / n) · |acc(B_b) − conf(B_b)|, in [0, 1]. `outputs` are
 * class-probability rows, `truth` the class index of each. Throws on an empty evaluation.
 */
export function calibration(
  outputs: readonly Float32Array[],
  truth: ArrayLike<number>,
  bins = 10,
): Calibration {
  if (outputs.length === 0) throw new Error('calibration needs at least one example');
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  outputs.forEach((row, i) => {
    const top = argmax(row);
    const score = row[top]!;
    // The small slack keeps a score of exactly k/bins in the bin it closes, despite rounding.
    const b = Math.min(bins - 1, Math.max(0, Math.ceil(score * bins - 1e-9) - 1));
    count[b]!++;
    confidence[b]! += score;
    if (top === truth[i]) correct[b]!++;
  });
  const n = outputs.length;
  let ece = 0;
  const table = count.map((c, b) => {
    const conf = c ? confidence[b]! / c : null;
    const acc = c ? correct[b]! / c : null;
    if (c) ece += (c / n) * Math.abs(acc! - conf!);
    return { lower: b / bins, upper: (b + 1) / bins, count: c, confidence: conf, accuracy: acc };
  });
  return { expected_calibration_error: ece, bins: table };
}
