import type * as tf from '@tensorflow/tfjs';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

/**
 * The call arguments a layer runs with: a frozen layer (`trainable` false) runs in inference mode
 * even inside a training step (`training` forced to false; a copy, since tfjs passes one kwargs
 * object to every layer of a model).
 *
 * Why: a frozen base must compute the same features in a training step as at evaluation.
 * - BatchNormalization: as Keras does since 2.1 (tf.keras semantics): a BN layer with
 *   `trainable=False` normalizes with its moving statistics and never updates them. tfjs-layers
 *   ignores `trainable` there, so a frozen MobileNetV2 normalized each batch by its own statistics
 *   in training (and drifted the moving ones), and the head learnt features that evaluation never
 *   produced: validation stayed at chance while the training loss fell.
 * - Dropout and the noise layers (SpatialDropout1D, GaussianNoise, GaussianDropout,
 *   AlphaDropout): Keras keeps dropping in a frozen Dropout; we do not. Their only training-time
 *   behaviour is noise, and a frozen base is a fixed feature extractor: noise there would make
 *   training see other features than evaluation, and than the cached features (computed once in
 *   inference mode) that tuning trains heads on. Regularize the head instead. Our
 *   TransformerEncoderBlock's dropout follows the same rule.
 * - Not covered: dropout inside tfjs's recurrent cells (LSTM/GRU `dropout`, `recurrentDropout`);
 *   the platform never sets it, and imported bases are image models.
 */
export function callArgsFor(
  layer: tf.layers.Layer,
  kwargs: Record<string, unknown>,
): Record<string, unknown> {
  return kwargs.training && !layer.trainable ? { ...kwargs, training: false } : kwargs;
}

/**
 * tfjs-layers' class `className`, subclassed so that a frozen instance runs in inference mode
 * (`callArgsFor`), and registered under tfjs's name: every model deserialized in this process
 * (checkpoints, base models) builds it.
 */
function inferenceWhenFrozen(className: string): void {
  const Parent = tfjsLayerClass<tf.layers.Layer, unknown>(className);
  const Frozen = class extends Parent {
    static className = className;
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
      return super.call(inputs, callArgsFor(this, kwargs));
    }
  };
  replaceTfjsLayerClass(Frozen);
}

// Dropout and BatchNormalization have subclasses of their own (dropout.ts, batch-norm.ts).
for (const className of ['SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'])
  inferenceWhenFrozen(className);
