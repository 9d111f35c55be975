import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { head, namer, type Symbolic } from './layers-util';

/** A multilayer perceptron: the head's dense blocks on the encoded row (images are flattened). */
export function buildMlp(
  spec: JobSpec,
  inputShape: number[],
  outputs: number | null,
): tf.LayersModel {
  const name = namer('mlp');
  const input = tf.input({ shape: inputShape, name: name('input') });
  const flat =
    inputShape.length > 1
      ? (tf.layers.flatten({ name: name('flatten') }).apply(input) as Symbolic)
      : input;
  return tf.model({ inputs: input, outputs: head(flat, spec, outputs, name), name: 'mlp' });
}
