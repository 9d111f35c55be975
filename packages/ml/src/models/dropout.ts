import * as tf from '@tensorflow/tfjs';
import { DROPOUT_MASK } from '../backend/kernels/dropout-mask';
import { maskRandom } from '../train/seed';
import { callArgsFor } from './frozen';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type DropoutArgs = NonNullable<Parameters<typeof tf.layers.dropout>[0]>;

interface DropoutLayer extends tf.layers.Layer {
  rate: number;
  noiseShape: number[] | undefined;
  seed: number | undefined;
}

const TfjsDropout = tfjsLayerClass<DropoutLayer, DropoutArgs>('Dropout');

/**
 * Training-time dropout of `x` at `rate`: on wasm, x times a fresh mask drawn there (a constant to
 * the gradient); elsewhere `tf.dropout`. Each mask's seed comes from `maskRandom`.
 */
export function dropoutTraining(x: tf.Tensor, rate: number): tf.Tensor {
  // Seeded from the mask stream, which the trainer seeds per job and trial: runs repeat.
  if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32')
    return tf.dropout(x, rate, undefined, Math.floor(maskRandom() * 2 ** 31));
  return tf.tidy(() => {
    const seedHigh = Math.floor(maskRandom() * 2 ** 32);
    const seedLow = Math.floor(maskRandom() * 2 ** 32);
    const attrs = { shape: x.shape, rate, seedHigh, seedLow };
    const mask = tf.engine().runKernel(DROPOUT_MASK, {}, attrs as unknown as tf.NamedAttrMap);
    return tf.mul(x, mask as tf.Tensor);
  });
}

/**
 * tfjs-layers' Dropout, with the mask drawn in wasm when training there (`dropoutTraining`); with a
 * noise shape or a fixed seed, tfjs's own code. A frozen one passes its input through. Registered under tfjs's class name,
 * so saved models are unchanged.
 */
export class Dropout extends TfjsDropout {
  static className = 'Dropout';

  override call(inputs: tf.Tensor | tf.Tensor[], args: Record<string, unknown>) {
    // Frozen (trainable false, in a transfer base): no dropout, unlike Keras; see `callArgsFor`.
    const kwargs = callArgsFor(this, args);
    const input = Array.isArray(inputs) ? inputs[0]! : inputs;
    const fast =
      kwargs.training === true &&
      this.rate > 0 &&
      this.rate < 1 &&
      this.noiseShape == null &&
      this.seed == null;
    if (!fast) return super.call(inputs, kwargs);
    return dropoutTraining(input, this.rate);
  }
}
replaceTfjsLayerClass(Dropout);

/** `tf.layers.dropout`, with the faster mask above on wasm. */
export function dropout(args: DropoutArgs): Dropout {
  return new Dropout(args);
}
