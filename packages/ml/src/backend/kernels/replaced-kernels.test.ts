import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from './test-support';

beforeAll(useWasm);

describe('kernels replaced for speed on wasm match cpu', () => {
  it('Tile: a per-channel vector over a batch (batch norm), and general reps', async () => {
    await expectSameOnCpuAndWasm(() => [
      tf.tile(seeded([1, 1, 1, 5], 1), [3, 4, 2, 1]),
      tf.tile(seeded([2, 3, 1], 2), [2, 1, 3]),
      tf.tile(
        tf.tensor2d(
          [
            [1, 2],
            [3, 4],
          ],
          [2, 2],
          'int32',
        ),
        [3, 2],
      ),
      tf.tile(seeded([4], 3), [1]),
    ]);
  });

  it('MaxPoolGrad: 2×2/2, overlapping 3×3/2 same, odd sizes, ties go to the first', async () => {
    const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
      [[2, 8, 8, 3], [2, 2], [2, 2], 'valid'],
      [[2, 7, 9, 2], [3, 3], [2, 2], 'same'],
      [[1, 5, 5, 4], [3, 2], [1, 2], 'valid'],
    ];
    await expectSameOnCpuAndWasm(() => [
      ...cases.map(([shape, size, strides, pad]) =>
        tf.grad((x: tf.Tensor) =>
          tf
            .maxPool(x as tf.Tensor4D, size, strides, pad)
            .mul(seeded([1], 4).add(2))
            .sum(),
        )(seeded(shape, 5)),
      ),
      // After a ReLU most windows hold several zeros: the gradient must go to exactly one of them.
      tf.grad((x: tf.Tensor) => tf.maxPool(x.relu() as tf.Tensor4D, 2, 2, 'valid').sum())(
        seeded([1, 6, 6, 2], 6).sub(0.8),
      ),
    ]);
  });

  it('Sum and Mean over leading axes (per-channel statistics), and the cases left to tfjs', async () => {
    await expectSameOnCpuAndWasm(() => {
      const x = seeded([4, 5, 6, 3], 7);
      return [
        x.sum([0, 1, 2]),
        x.mean([0, 1, 2], true),
        x.sum([1, 0]),
        x.mean(0),
        x.sum([0, 2]),
        x.mean(-1),
        x.sum(),
        tf
          .tensor2d(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
            'int32',
          )
          .sum(0),
      ];
    });
  });
});
