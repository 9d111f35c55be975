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
