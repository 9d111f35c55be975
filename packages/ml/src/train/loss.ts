import * as tf from '@tensorflow/tfjs';

/** Mean cross-entropy of softmax outputs (classification) or mean squared error (regression). */
export function lossOf(classification: boolean, ys: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  return classification
    ? (tf.metrics.categoricalCrossentropy(ys, preds).mean() as tf.Scalar)
    : (tf.losses.meanSquaredError(ys, preds) as tf.Scalar);
}

/** Correct predictions in a batch (classification), as a scalar tensor. */
export function correctOf(ys: tf.Tensor, preds: tf.Tensor): tf.Scalar {
  return tf.equal(ys.argMax(-1), preds.argMax(-1)).sum() as tf.Scalar;
}

/**
 * Class-weighted mean cross-entropy (Keras's `class_weight`): each example's loss times its true
 * class's weight, averaged over the batch. `ys` one-hot [batch, classes], `weights` [classes].
 */
export function weightedLossOf(ys: tf.Tensor, preds: tf.Tensor, weights: tf.Tensor1D): tf.Scalar {
  const perExample = tf.metrics.categoricalCrossentropy(ys, preds);
  const exampleWeights = ys.mul(weights).sum(-1);
  return perExample.mul(exampleWeights).mean() as tf.Scalar;
}
