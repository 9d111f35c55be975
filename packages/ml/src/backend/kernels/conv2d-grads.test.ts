import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from './test-support';

beforeAll(useWasm);

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];
const cases: { name: string; x: number[]; f: number[]; strides: [number, number]; pad: Pad }[] = [
  { name: '3×3 stride 1 same', x: [2, 7, 7, 3], f: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { name: '3×3 stride 1 valid', x: [2, 6, 6, 2], f: [3, 3, 2, 3], strides: [1, 1], pad: 'valid' },
  { name: '3×3 stride 2 same', x: [2, 8, 8, 2], f: [3, 3, 2, 3], strides: [2, 2], pad: 'same' },
  {
    name: '3×3 stride 2 valid, rows left unread',
    x: [1, 10, 10, 2],
    f: [3, 3, 2, 2],
    strides: [2, 2],
    pad: 'valid',
  },
  {
    name: '5×2 strides 1×2 same, odd sizes',
    x: [2, 6, 5, 1],
    f: [5, 2, 1, 3],
    strides: [1, 2],
    pad: 'same',
  },
  { name: '2×2 stride 3 valid', x: [1, 11, 8, 3], f: [2, 2, 3, 2], strides: [3, 3], pad: 'valid' },
  {
    name: '3×3 same, 1 → 20 channels (a first layer on grey images)',
    x: [3, 9, 9, 1],
    f: [3, 3, 1, 20],
    strides: [1, 1],
    pad: 'same',
  },
  {
    name: '3×3 stride 2 same, 3 → 16 channels (on RGB images)',
    x: [2, 9, 8, 3],
    f: [3, 3, 3, 16],
    strides: [2, 2],
    pad: 'same',
  },
  {
    name: '3×3 stride 2 same, 6 → 13 channels (every block size of the SIMD kernel)',
    x: [2, 9, 7, 6],
    f: [3, 3, 6, 13],
    strides: [2, 2],
    pad: 'same',
  },
  { name: '1×1', x: [3, 4, 4, 5], f: [1, 1, 5, 2], strides: [1, 1], pad: 'valid' },
  { name: '3×3, 8 → 4 channels', x: [2, 7, 7, 8], f: [3, 3, 8, 4], strides: [1, 1], pad: 'same' },
  {
    name: '3×3 stride 2 valid, 4 → 6',
    x: [1, 10, 9, 4],
    f: [3, 3, 4, 6],
    strides: [2, 2],
    pad: 'valid',
  },
  {
    name: 'explicit padding',
    x: [1, 6, 7, 2],
    f: [3, 3, 2, 2],
    strides: [1, 2],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

describe('Conv2DBackpropFilter and Conv2DBackpropInput on wasm match cpu', () => {
  for (const c of cases) {
    it(c.name, async () => {
      await expectSameOnCpuAndWasm(() => {
        const x = seeded(c.x, 1) as tf.Tensor4D;
        const f = seeded(c.f, 2) as tf.Tensor4D;
        const y = tf.conv2d(x, f, c.strides, c.pad);
        const dy = seeded(y.shape, 3);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad)
            .mul(dy)
            .sum(),
        )([x, f]);
        return [y, dx!, df!];
      });
    });
  }

  it('through fused conv2d with bias and relu (what tf.layers.conv2d runs)', async () => {
    await expectSameOnCpuAndWasm(() => {
      const x = seeded([2, 6, 6, 3], 4) as tf.Tensor4D;
      const f = seeded([3, 3, 3, 4], 5) as tf.Tensor4D;
      const b = seeded([4], 6) as tf.Tensor1D;
      const loss = (xx: tf.Tensor, ff: tf.Tensor, bb: tf.Tensor) =>
        tf.fused
          .conv2d({
            x: xx as tf.Tensor4D,
            filter: ff as tf.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: bb,
            activation: 'relu',
          })
          .square()
          .sum();
      return tf.grads(loss)([x, f, b]);
    });
  });
});
