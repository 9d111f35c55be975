import * as tf from '@tensorflow/tfjs';
import type { AdamUpdateAttrs } from '../backend/kernels/adam-update';
import type { Adam, AdamStepState } from './adam';

/** The result of a fused step: the batch's mean cross-entropy and its correct predictions. */
export interface FusedStepResult {
  loss: number;
  correct: number;
}

/** True for Trainyard's `Adam`, whose state a fused step reads and writes. */
export function isOurAdam(optimizer: tf.Optimizer): optimizer is Adam {
  return typeof (optimizer as Partial<Adam>).fusedStepState === 'function';
}

/**
 * Reads a fused step's outputs and disposes them: `probabilities` are the true class's softmax
 * probability per example (`[batch]`), `correct` the count of right predictions (a scalar).
 * The loss is the mean of −ln p (nats).
 */
export function readStepResult(probabilities: tf.Tensor, correct: tf.Tensor): FusedStepResult {
  const p = probabilities.dataSync();
  let sum = 0;
  for (const value of p) sum -= Math.log(value);
  const right = correct.dataSync()[0]!;
  tf.dispose([probabilities, correct]);
  return { loss: sum / p.length, correct: right };
}

/** Adam's settings of this step, as the fused kernels take them (`AdamUpdateAttrs`). */
export function adamAttrs(state: AdamStepState): AdamUpdateAttrs {
  const { learningRate, beta1, beta2, epsilon, c1, c2 } = state;
  return { learningRate, beta1, beta2, epsilon, c1, c2 };
}
