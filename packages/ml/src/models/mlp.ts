import * as tf from '@tensorflow/tfjs';
import { head, type ModelArgs, namer, type Symbolic } from './layers-util';

/** A multilayer perceptron's arguments: those of every model (an image `inputShape` is flattened). */
export type MlpArgs = ModelArgs;

/** A multilayer perceptron: the head's dense blocks on the encoded row (images are flattened). */
export function buildMlp(args: MlpArgs): tf.LayersModel {
  const name = namer('mlp');
  const input = tf.input({ shape: [...args.inputShape], name: name('input') });
  const flat =
    args.inputShape.length > 1
      ? (tf.layers.flatten({ name: name('flatten') }).apply(input) as Symbolic)
      : input;
  return tf.model({ inputs: input, outputs: head(flat, args, name), name: 'mlp' });
}
