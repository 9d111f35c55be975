import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from './test-support';

beforeAll(useWasm);

describe('UnsortedSegmentSum on wasm', () => {
  it('sums repeated ids and leaves unused segments at zero, as cpu does', async () => {
    await expectSameOnCpuAndWasm(() => [
      tf.unsortedSegmentSum(seeded([6, 3, 2], 1), tf.tensor1d([4, 0, 4, 1, 0, 4], 'int32'), 6),
      tf.unsortedSegmentSum(seeded([5], 2), tf.tensor1d([2, 2, 2, 0, 1], 'int32'), 3),
    ]);
  });

  it('drops ids outside [0, numSegments), as TensorFlow does', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const sums = tf.unsortedSegmentSum(x, tf.tensor1d([1, -1, 7], 'int32'), 2);
    expect(Array.from(await sums.data())).toEqual([0, 0, 1, 2]);
  });

  it('is the gradient of gather (embeddings)', async () => {
    await expectSameOnCpuAndWasm(() => {
      const table = seeded([7, 4], 3);
      const ids = tf.tensor2d(
        [
          [1, 3, 3],
          [6, 1, 0],
        ],
        [2, 3],
        'int32',
      );
      const dy = seeded([2, 3, 4], 4);
      return tf.grad((t: tf.Tensor) => tf.gather(t, ids).mul(dy).sum())(table);
    });
  });
});
