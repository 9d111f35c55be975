import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-norm';
import { dropout } from './dropout';

export type Symbolic = tf.SymbolicTensor;

/**
 * Momentum of batch-norm moving statistics. Keras's 0.99 needs thousands of steps before the
 * statistics used at inference settle; fine-tuning jobs here often run a few hundred.
 */
export const BN_MOMENTUM = 0.9;

/** The dense blocks every model ends with, between its features and its output layer. */
export interface HeadArgs {
  /** Units of each dense block, in order. Default `[]`: the output layer sits on the features. */
  units?: readonly number[];
  /** Activation of each dense block. Default `'relu'`. */
  activation?: 'relu' | 'gelu' | 'tanh' | 'elu';
  /** Batch normalization in each dense block, before its activation. Default `false`. */
  batchNorm?: boolean;
}

/** L1/L2 penalties on every kernel (not biases). */
export interface RegularizerArgs {
  /** L1 penalty factor. Default 0. */
  l1?: number;
  /** L2 penalty factor. Default 0. */
  l2?: number;
}

/** What every architecture takes: the example's shape, the output, the head and regularization. */
export interface ModelArgs extends RegularizerArgs {
  /**
   * One example's shape, without the batch dimension: `[features]` for a table row,
   * `[height, width, channels]` for an image, `[tokens]` (int32 token ids) for a text.
   */
  inputShape: readonly number[];
  /** Classes of the softmax output; `null` for one linear output (regression). */
  classes: number | null;
  /** The dense blocks before the output layer. Default: none (see `HeadArgs`). */
  head?: HeadArgs;
  /**
   * Dropout rate in [0, 1) after each dense block of the head (after the pooled features when the
   * head has none). Default 0.
   */
  dropout?: number;
}

/** L1/L2 on kernels (none when both are 0). */
export function kernelRegularizer({
  l1 = 0,
  l2 = 0,
}: RegularizerArgs): ReturnType<typeof tf.regularizers.l1l2> | undefined {
  return l1 > 0 || l2 > 0 ? tf.regularizers.l1l2({ l1, l2 }) : undefined;
}

/** Names layers with a per-model prefix, so a model used as a base never clashes with its head. */
export function namer(prefix: string): (name: string) => string {
  let n = 0;
  return (name) => `${prefix}_${name}_${n++}`;
}

/** Dense → (batch norm) → activation → (dropout), the head's repeated unit. */
function denseBlock(
  x: Symbolic,
  units: number,
  args: Omit<ModelArgs, 'inputShape' | 'classes'>,
  name: (n: string) => string,
): Symbolic {
  const { batchNorm = false, activation = 'relu' } = args.head ?? {};
  const rate = args.dropout ?? 0;
  let y = tf.layers
    .dense({
      units,
      useBias: !batchNorm,
      kernelRegularizer: kernelRegularizer(args),
      name: name('dense'),
    })
    .apply(x) as Symbolic;
  if (batchNorm)
    y = batchNormalization({ momentum: BN_MOMENTUM, name: name('bn') }).apply(y) as Symbolic;
  y = tf.layers.activation({ activation, name: name('act') }).apply(y) as Symbolic;
  if (rate > 0) y = dropout({ rate, name: name('dropout') }).apply(y) as Symbolic;
  return y;
}

/**
 * The head on `features`: pool spatial features (a `[h, w, c]` map by global average pooling or
 * flattening, a `[steps, dim]` sequence by averaging over steps), the dense blocks of
 * `args.head`, then the output layer (softmax over `args.classes`, or one linear unit).
 */
export function head(
  features: Symbolic,
  args: Omit<ModelArgs, 'inputShape'>,
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
  const units = args.head?.units ?? [];
  const rate = args.dropout ?? 0;
  for (const n of units) x = denseBlock(x, n, args, name);
  if (units.length === 0 && rate > 0) {
    x = dropout({ rate, name: name('dropout') }).apply(x) as Symbolic;
  }
  return tf.layers
    .dense({
      units: args.classes ?? 1,
      activation: args.classes ? 'softmax' : 'linear',
      kernelRegularizer: kernelRegularizer(args),
      name: name('output'),
    })
    .apply(x) as Symbolic;
}
