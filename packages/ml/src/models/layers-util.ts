import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { batchNormalization } from './batch-norm';
import { dropout } from './dropout';

export type Symbolic = tf.SymbolicTensor;

/**
 * Momentum of batch-norm moving statistics. Keras's 0.99 needs thousands of steps before the
 * statistics used at inference settle; fine-tuning jobs here often run a few hundred.
 */
export const BN_MOMENTUM = 0.9;

/** L1/L2 on kernels, as the spec says (none when both are 0). */
export function kernelRegularizer(
  spec: JobSpec,
): ReturnType<typeof tf.regularizers.l1l2> | undefined {
  const { l1, l2 } = spec.regularization;
  return l1 > 0 || l2 > 0 ? tf.regularizers.l1l2({ l1, l2 }) : undefined;
}

/** Names layers with a per-model prefix, so a model used as a base never clashes with its head. */
export function namer(prefix: string): (name: string) => string {
  let n = 0;
  return (name) => `${prefix}_${name}_${n++}`;
}

/** Dense → (batch norm) → activation → (dropout), the head's repeated unit. */
export function denseBlock(
  x: Symbolic,
  units: number,
  spec: JobSpec,
  name: (n: string) => string,
): Symbolic {
  const { batch_norm, activation } = spec.architecture.head;
  const reg = kernelRegularizer(spec);
  let y = tf.layers
    .dense({ units, useBias: !batch_norm, kernelRegularizer: reg, name: name('dense') })
    .apply(x) as Symbolic;
  if (batch_norm)
    y = batchNormalization({ momentum: BN_MOMENTUM, name: name('bn') }).apply(y) as Symbolic;
  y = tf.layers.activation({ activation, name: name('act') }).apply(y) as Symbolic;
  if (spec.regularization.dropout > 0) {
    y = dropout({ rate: spec.regularization.dropout, name: name('dropout') }).apply(y) as Symbolic;
  }
  return y;
}

/**
 * The head: pool spatial features, the spec's dense blocks, then the output layer (softmax over
 * classes, or one linear unit for regression).
 */
export function head(
  features: Symbolic,
  spec: JobSpec,
  outputs: number | null,
  name: (n: string) => string,
  pooling: 'avg' | 'flatten' = 'avg',
): Symbolic {
  let x = features;
  if (x.shape.length === 4) {
    x = (
      pooling === 'avg'
        ? tf.layers.globalAveragePooling2d({ name: name('gap') })
        : tf.layers.flatten({ name: name('flatten') })
    ).apply(x) as Symbolic;
  } else if (x.shape.length === 3) {
    x = tf.layers.globalAveragePooling1d({ name: name('gap') }).apply(x) as Symbolic;
  }
  for (const units of spec.architecture.head.units) x = denseBlock(x, units, spec, name);
  if (spec.architecture.head.units.length === 0 && spec.regularization.dropout > 0) {
    x = dropout({ rate: spec.regularization.dropout, name: name('dropout') }).apply(x) as Symbolic;
  }
  return tf.layers
    .dense({
      units: outputs ?? 1,
      activation: outputs ? 'softmax' : 'linear',
      kernelRegularizer: kernelRegularizer(spec),
      name: name('output'),
    })
    .apply(x) as Symbolic;
}
