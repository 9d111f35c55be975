import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { batchNormalization } from './batch-norm';
import { conv2d } from './conv2d';
import { BN_MOMENTUM, head, kernelRegularizer, namer, type Symbolic } from './layers-util';

/** conv 3×3 → batch norm → ReLU, the building block of both image architectures. */
export function convBnRelu(
  x: Symbolic,
  filters: number,
  spec: JobSpec,
  name: (n: string) => string,
  strides = 1,
): Symbolic {
  const conv = conv2d({
    filters,
    kernelSize: 3,
    strides,
    padding: 'same',
    useBias: !spec.architecture.batch_norm,
    kernelRegularizer: kernelRegularizer(spec),
    name: name('conv'),
  }).apply(x) as Symbolic;
  const bn = spec.architecture.batch_norm
    ? (batchNormalization({ momentum: BN_MOMENTUM, name: name('bn') }).apply(conv) as Symbolic)
    : conv;
  return tf.layers.reLU({ name: name('relu') }).apply(bn) as Symbolic;
}

/**
 * A plain CNN: per stage in `architecture.filters`, conv-BN-ReLU then 2×2 max pooling; then the
 * head on the flattened features (spatial layout matters on small images).
 */
export function buildCnn(
  spec: JobSpec,
  inputShape: number[],
  outputs: number | null,
): tf.LayersModel {
  const name = namer('cnn');
  const input = tf.input({ shape: inputShape, name: name('input') });
  let x: Symbolic = input;
  for (const filters of spec.architecture.filters) {
    x = convBnRelu(x, filters, spec, name);
    x = tf.layers.maxPooling2d({ poolSize: 2, name: name('pool') }).apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: head(x, spec, outputs, name, 'flatten'), name: 'cnn' });
}
