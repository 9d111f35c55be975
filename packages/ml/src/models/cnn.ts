import * as tf from '@tensorflow/tfjs';
import { cnnHeadPool } from '@trainyard/shared';
import { batchNormalization } from './batch-norm';
import { conv2d } from './conv2d';
import {
  BN_MOMENTUM,
  head,
  kernelRegularizer,
  type ModelArgs,
  namer,
  type RegularizerArgs,
  type Symbolic,
} from './layers-util';

/** A plain CNN's arguments; `inputShape` is `[height, width, channels]`. */
export interface CnnArgs extends ModelArgs {
  /** Convolution filters of each stage (one stage per entry). Default `[32, 64]`. */
  filters?: readonly number[];
  /** Batch normalization after each convolution (which then has no bias). Default `true`. */
  batchNorm?: boolean;
}

/** How every convolution of the image architectures is built. */
export interface ConvArgs extends RegularizerArgs {
  batchNorm: boolean;
}

/**
 * A square convolution without its activation: no bias when batch norm follows, the kernels
 * regularized as `args` says.
 */
export function conv(
  args: ConvArgs,
  layer: { filters: number; kernelSize: number; strides?: number; padding?: 'same' | 'valid' },
  name: string,
): tf.layers.Layer {
  return conv2d({
    ...layer,
    useBias: !args.batchNorm,
    kernelRegularizer: kernelRegularizer(args),
    name,
  });
}

/** Batch norm (named by `name`) on `x` when `args.batchNorm`, else `x`. */
export function maybeBatchNorm(args: ConvArgs, x: Symbolic, name: (n: string) => string): Symbolic {
  return args.batchNorm
    ? (batchNormalization({ momentum: BN_MOMENTUM, name: name('bn') }).apply(x) as Symbolic)
    : x;
}

/** conv 3×3 → batch norm → ReLU, the building block of both image architectures. */
export function convBnRelu(
  x: Symbolic,
  filters: number,
  args: ConvArgs,
  name: (n: string) => string,
  strides = 1,
): Symbolic {
  const y = conv(args, { filters, kernelSize: 3, strides, padding: 'same' }, name('conv')).apply(
    x,
  ) as Symbolic;
  const bn = maybeBatchNorm(args, y, name);
  return tf.layers.reLU({ name: name('relu') }).apply(bn) as Symbolic;
}

/**
 * A plain CNN: per stage in `filters`, conv-BN-ReLU then 2×2 max pooling (each stage halves the
 * height and width); then, when the map is over `CNN_MAX_FLATTENED_SIDE` (shared) on a side, average
 * pooling down to it; then the head on the flattened features (spatial layout matters on small
 * images: 28×28 digits keep their 7×7 map).
 */
export function buildCnn(args: CnnArgs): tf.LayersModel {
  const { filters = [32, 64], batchNorm = true } = args;
  const name = namer('cnn');
  const input = tf.input({ shape: [...args.inputShape], name: name('input') });
  let x: Symbolic = input;
  for (const f of filters) {
    x = convBnRelu(x, f, { ...args, batchNorm }, name);
    x = tf.layers.maxPooling2d({ poolSize: 2, name: name('pool') }).apply(x) as Symbolic;
  }
  const [height = 1, width = 1] = x.shape.slice(1, 3) as number[];
  const pool = cnnHeadPool(height, width);
  if (pool[0] > 1 || pool[1] > 1) {
    x = tf.layers
      .averagePooling2d({ poolSize: pool, padding: 'same', name: name('head_pool') })
      .apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: head(x, args, name, 'flatten'), name: 'cnn' });
}
