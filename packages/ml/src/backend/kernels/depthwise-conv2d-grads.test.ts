import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from './test-support';

beforeAll(useWasm);

interface Case {
  name: string;
  x: number[];
  f: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations?: [number, number];
}

const cases: Case[] = [
  { name: '3×3 stride 1 same', x: [2, 7, 7, 3], f: [3, 3, 3, 1], strides: [1, 1], pad: 'same' },
  { name: 'multiplier 2, valid', x: [2, 6, 6, 2], f: [3, 3, 2, 2], strides: [1, 1], pad: 'valid' },
  {
    name: 'stride 2 same, multiplier 3',
    x: [1, 8, 9, 2],
    f: [3, 3, 2, 3],
    strides: [2, 2],
    pad: 'same',
  },
  {
    name: 'stride 2 valid, rows left unread',
    x: [1, 10, 10, 2],
    f: [3, 3, 2, 1],
    strides: [2, 2],
    pad: 'valid',
  },
  { name: '5×3 same', x: [2, 6, 5, 4], f: [5, 3, 4, 1], strides: [1, 1], pad: 'same' },
  {
    name: 'dilation 2 same',
    x: [1, 9, 9, 2],
    f: [3, 3, 2, 2],
    strides: [1, 1],
    pad: 'same',
    dilations: [2, 2],
  },
  {
    name: 'dilation 2×3 valid',
    x: [2, 9, 10, 1],
    f: [2, 3, 1, 2],
    strides: [1, 1],
    pad: 'valid',
    dilations: [2, 3],
  },
];

/**
 * A filter dilated by [dh, dw] as an undilated one with zeros between its taps: the same
 * convolution, and the only way to get a dilated reference from cpu, whose backprop kernels ignore
 * dilations (tf.grad refuses dilated depthwise gradients, so no user reaches that there).
 */
function spreadFilter(f: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, c, m] = f.shape;
  const spread = f.reshape([kh, 1, kw, 1, c, m]).pad([
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const size = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, m];
  return spread.reshape([kh * dh, kw * dw, c, m]).slice([0, 0, 0, 0], size) as tf.Tensor4D;
}

/** Forward output, input gradient and filter gradient, the kernels run directly. */
function depthwiseAndGradients(c: Case, backend: 'cpu' | 'wasm'): tf.Tensor[] {
  const x = seeded(c.x, 1) as tf.Tensor4D;
  const f = seeded(c.f, 2) as tf.Tensor4D;
  const wanted = c.dilations ?? [1, 1];
  const dilated = wanted[0] > 1 || wanted[1] > 1;
  const [filter, dilations]: [tf.Tensor4D, [number, number]] =
    backend === 'cpu' && dilated ? [spreadFilter(f, wanted), [1, 1]] : [f, wanted];
  const y = tf.depthwiseConv2d(x, filter, c.strides, c.pad, 'NHWC', dilations);
  const dy = seeded(y.shape, 3);
  const attrs = { strides: c.strides, pad: c.pad, dilations, dimRoundingMode: 'floor' };
  const dx = tf
    .engine()
    .runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter }, { ...attrs, inputShape: c.x });
  let df = tf
    .engine()
    .runKernel(
      'DepthwiseConv2dNativeBackpropFilter',
      { x, dy },
      { ...attrs, filterShape: filter.shape },
    ) as tf.Tensor4D;
  if (backend === 'cpu' && dilated) {
    df = tf.stridedSlice(df, [0, 0, 0, 0], df.shape, [wanted[0], wanted[1], 1, 1]) as tf.Tensor4D;
  }
  return [y, dx as tf.Tensor, df];
}

describe('DepthwiseConv2dNative gradients on wasm match cpu', () => {
  for (const c of cases) {
    it(c.name, async () => {
      await expectSameOnCpuAndWasm((backend) => depthwiseAndGradients(c, backend));
    });
  }

  it('through tf.grad of a separable convolution', async () => {
    await expectSameOnCpuAndWasm(() => {
      const x = seeded([2, 7, 7, 3], 4) as tf.Tensor4D;
      const d = seeded([3, 3, 3, 2], 5) as tf.Tensor4D;
      const p = seeded([1, 1, 6, 4], 6) as tf.Tensor4D;
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf
          .separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 2, 'same')
          .square()
          .sum();
      return tf.grads(loss)([x, d, p]);
    });
  });
});
