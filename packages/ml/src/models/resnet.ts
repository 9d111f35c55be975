import * as tf from '@tensorflow/tfjs';
import { type CnnArgs, type ConvArgs, conv, convBnRelu, maybeBatchNorm } from './cnn';
import { head, namer, type Symbolic } from './layers-util';

/** A small ResNet's arguments; `inputShape` is `[height, width, channels]`. */
export interface ResnetArgs extends CnnArgs {
  /** Residual blocks of each stage. Default 2. */
  blocksPerStage?: number;
}

/**
 * A residual block (He et al. 2016): two 3×3 convolutions with batch norm, added to a shortcut
 * (a 1×1 projection when the shape changes), then ReLU.
 */
function residualBlock(
  x: Symbolic,
  filters: number,
  strides: number,
  args: ConvArgs,
  name: (n: string) => string,
): Symbolic {
  const inFilters = x.shape[3];
  const y1 = convBnRelu(x, filters, args, name, strides);
  const y2 = conv(args, { filters, kernelSize: 3, padding: 'same' }, name('conv')).apply(
    y1,
  ) as Symbolic;
  const y = maybeBatchNorm(args, y2, name);
  let shortcut = x;
  if (strides !== 1 || inFilters !== filters) {
    const projected = conv(args, { filters, kernelSize: 1, strides }, name('proj')).apply(
      x,
    ) as Symbolic;
    shortcut = maybeBatchNorm(args, projected, name);
  }
  const sum = tf.layers.add({ name: name('add') }).apply([y, shortcut]) as Symbolic;
  return tf.layers.reLU({ name: name('relu') }).apply(sum) as Symbolic;
}

/**
 * A small ResNet: a stem (conv-BN-ReLU with the first stage's filters), then per stage in
 * `filters` `blocksPerStage` residual blocks (each stage after the first halves the height and
 * width), global average pooling, the head.
 */
export function buildResnet(args: ResnetArgs): tf.LayersModel {
  const { filters = [32, 64], batchNorm = true, blocksPerStage = 2 } = args;
  const convArgs = { ...args, batchNorm };
  const name = namer('resnet');
  const input = tf.input({ shape: [...args.inputShape], name: name('input') });
  let x = convBnRelu(input, filters[0]!, convArgs, name);
  filters.forEach((f, stage) => {
    for (let b = 0; b < blocksPerStage; b++) {
      x = residualBlock(x, f, stage > 0 && b === 0 ? 2 : 1, convArgs, name);
    }
  });
  return tf.model({ inputs: input, outputs: head(x, args, name, 'avg'), name: 'resnet' });
}
