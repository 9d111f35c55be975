import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { batchNormalization } from './batch-norm';
import { convBnRelu } from './cnn';
import { conv2d } from './conv2d';
import { BN_MOMENTUM, head, kernelRegularizer, namer, type Symbolic } from './layers-util';

/**
 * A residual block (He et al. 2016): two 3×3 convolutions with batch norm, added to a shortcut
 * (a 1×1 projection when the shape changes), then ReLU.
 */
function residualBlock(
  x: Symbolic,
  filters: number,
  strides: number,
  spec: JobSpec,
  name: (n: string) => string,
): Symbolic {
  const inFilters = x.shape[3];
  const y1 = convBnRelu(x, filters, spec, name, strides);
  const y2 = conv2d({
    filters,
    kernelSize: 3,
    padding: 'same',
    useBias: !spec.architecture.batch_norm,
    kernelRegularizer: kernelRegularizer(spec),
    name: name('conv'),
  }).apply(y1) as Symbolic;
  const bn = (t: Symbolic) =>
    spec.architecture.batch_norm
      ? (batchNormalization({ momentum: BN_MOMENTUM, name: name('bn') }).apply(t) as Symbolic)
      : t;
  const y = bn(y2);
  let shortcut = x;
  if (strides !== 1 || inFilters !== filters) {
    const projected = conv2d({
      filters,
      kernelSize: 1,
      strides,
      useBias: !spec.architecture.batch_norm,
      kernelRegularizer: kernelRegularizer(spec),
      name: name('proj'),
    }).apply(x) as Symbolic;
    shortcut = bn(projected);
  }
  const sum = tf.layers.add({ name: name('add') }).apply([y, shortcut]) as Symbolic;
  return tf.layers.reLU({ name: name('relu') }).apply(sum) as Symbolic;
}

/** A small ResNet: a stem, then per stage `blocks_per_stage` residual blocks (downsampling between stages), global pooling, head. */
export function buildResnet(
  spec: JobSpec,
  inputShape: number[],
  outputs: number | null,
): tf.LayersModel {
  const name = namer('resnet');
  const input = tf.input({ shape: inputShape, name: name('input') });
  const filters = spec.architecture.filters;
  let x = convBnRelu(input, filters[0]!, spec, name);
  filters.forEach((f, stage) => {
    for (let b = 0; b < spec.architecture.blocks_per_stage; b++) {
      x = residualBlock(x, f, stage > 0 && b === 0 ? 2 : 1, spec, name);
    }
  });
  return tf.model({ inputs: input, outputs: head(x, spec, outputs, name, 'avg'), name: 'resnet' });
}
