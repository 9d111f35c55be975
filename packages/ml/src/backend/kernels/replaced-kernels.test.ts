import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
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
      tf.tile(seeded([2, 3, 4], 4), [3, 1, 1]),
      tf.tile(seeded([2, 3, 4], 5), [1, 1, 1]),
      tf.tile(seeded([2, 3, 4], 6), [2, 2, 1]),
    ]);
  });

  it('Transpose: permutations that change nothing (memory shared), size-1 axes moved, real ones, int32', async () => {
    await expectSameOnCpuAndWasm(() => [
      tf.transpose(seeded([3, 4], 7), [0, 1]),
      tf.transpose(seeded([3, 4], 8), [1, 0]),
      tf.transpose(seeded([2, 1, 1, 3], 9), [0, 2, 1, 3]),
      tf.transpose(seeded([2, 1, 3], 9), [1, 0, 2]),
      tf.transpose(seeded([2, 3, 4], 10), [0, 2, 1]),
      tf.transpose(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32'), [0, 1]).toFloat(),
    ]);
  });

  it('Transpose: a shared result outlives its input, and the input its result', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [2, 1, 3]);
    const y = tf.transpose(x, [0, 1, 2]);
    const z = tf.transpose(y, [0, 1, 2]);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4, 5, 6]);
    y.dispose();
    expect(z.shape).toEqual([2, 1, 3]);
    expect(Array.from(await z.data())).toEqual([1, 2, 3, 4, 5, 6]);
    z.dispose();
  });

  it("a weight used as [k, 1] and transposed to [1, k] in a large product (XNNPACK's cache by id)", async () => {
    await expectSameOnCpuAndWasm(() => {
      // 600 × 500 · 500 × 1 and back: beyond the SIMD loop's size, so XNNPACK runs both products.
      const w = seeded([500, 1], 60);
      const forward = tf.matMul(seeded([600, 500], 61), w);
      const back = tf.matMul(seeded([600, 1], 62), w, false, true);
      return [forward, back.sum(0), back.sum(1)]; // sums: 300,000 values overflow the comparison
    });
  });

  it('MaxPoolGrad: 2×2/2, overlapping 3×3/2 same, odd sizes, ties go to the first', async () => {
    const cases: [number[], [number, number], [number, number], 'same' | 'valid'][] = [
      [[2, 8, 8, 3], [2, 2], [2, 2], 'valid'],
      [[2, 7, 9, 2], [3, 3], [2, 2], 'same'],
      [[1, 5, 5, 4], [3, 2], [1, 2], 'valid'],
      [[2, 6, 6, 6], [2, 2], [2, 2], 'valid'],
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

  it('the ReLU gradient (one kernel of ours on wasm): dy where x > 0, none at 0', async () => {
    await expectSameOnCpuAndWasm(() => {
      // Every fourth value exactly 0, and a length that is not a multiple of 4.
      const x = seeded([3, 5, 7], 8).mul(tf.tensor1d([1, 1, 1, 0, 1, 1, 1]));
      return tf.grad((v: tf.Tensor) =>
        v
          .relu()
          .mul(seeded([3, 5, 7], 9))
          .sum(),
      )(x);
    });
    await tf.setBackend('wasm');
    const { kernelNames } = await tf.profile(() =>
      tf.grad((v: tf.Tensor) => v.relu().sum())(tf.ones([4])),
    );
    expect(kernelNames).toContain('TrainyardReluGrad');
  });

  it('GatherV2: rows of a batch, other axes, batch dims, int32, repeated indices', async () => {
    await expectSameOnCpuAndWasm(() => {
      const ids = tf.tensor1d([3, 0, 3, 5, 1], 'int32');
      return [
        tf.gather(seeded([6, 5, 4, 1], 1), ids), // 20-element rows: slice copies
        tf.gather(seeded([6, 3], 2), ids), // short rows: element loop
        tf.gather(seeded([2, 6, 3], 3), ids, 1),
        tf.gather(
          seeded([4], 4),
          tf.tensor2d(
            [
              [0, 3],
              [2, 2],
            ],
            [2, 2],
            'int32',
          ),
        ),
        tf.gather(
          tf.range(0, 24, 1, 'int32').reshape([2, 6, 2]),
          tf.tensor2d(
            [
              [5, 0],
              [1, 1],
            ],
            [2, 2],
            'int32',
          ),
          1,
          1,
        ),
      ];
    });
    await tf.setBackend('wasm');
    expect(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([3], 'int32'))).toThrow(
      'GatherV2: the index value 3 is not in [0, 2]',
    );
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

  it('binary ops that broadcast: per-channel, both sides, leading axes, int32', async () => {
    await expectSameOnCpuAndWasm(() => {
      const x = seeded([4, 16, 16, 8], 8);
      const c = seeded([8], 9).add(2);
      const column = seeded([96, 1], 10);
      const row = seeded([1, 80], 11).add(2);
      const ints = tf.range(0, 6000, 1, 'int32').reshape([1000, 6]);
      return [
        tf.add(x, c),
        tf.sub(c, x),
        tf.mul(x, c.reshape([1, 1, 1, 8])),
        tf.div(x, c),
        tf.squaredDifference(x, c),
        tf.maximum(x, c.sub(2)),
        tf.minimum(c.sub(2), x),
        tf.mul(column, row),
        tf.sub(seeded([5, 16, 16, 1], 12), seeded([16, 16, 8], 13)),
        tf.mul(ints, tf.tensor1d([1, 2, 3, 4, 5, 6], 'int32')),
      ];
    });
  });

  it('small binary ops (our loops): whole, scalar, bias-row and column operands, odd lengths', async () => {
    await expectSameOnCpuAndWasm(() => {
      const x = seeded([7, 12], 30);
      const y = seeded([7, 12], 31);
      const row = seeded([12], 32);
      const odd = seeded([5, 3], 33);
      return [
        tf.add(x, y),
        tf.sub(x, row),
        tf.mul(row.reshape([1, 12]), x),
        tf.div(x, tf.scalar(3)),
        tf.div(tf.scalar(2), y.abs().add(1)),
        tf.mul(odd, seeded([3], 34)),
        // Column broadcasts, one value at a time: a softmax's normalisation, 3 × 1 over 2 × 3 × 4.
        tf.div(seeded([32, 2], 37).abs(), seeded([32, 2], 37).abs().sum(-1, true)),
        tf.sub(seeded([2, 3, 4], 35), seeded([3, 1], 36)),
        tf.mul(seeded([2, 1, 1], 38), seeded([2, 3, 5], 39)),
        tf.add(seeded([4, 1, 3], 40), seeded([4, 5, 3], 41)), // inside the shape: left to tfjs
      ];
    });
  });

  it('BatchMatMul, small (SIMD loop) and large (XNNPACK), every transpose, and batched ones', async () => {
    await expectSameOnCpuAndWasm(() => {
      // Small: 64·40·37 products; 37 columns take the 16-, 4- and 1-wide paths.
      const x = seeded([64, 40], 14);
      const w = seeded([40, 37], 15);
      const dy = seeded([64, 37], 16);
      // Large: 300·100·20 = 600,000 products.
      const bx = seeded([300, 100], 19);
      const bw = seeded([100, 20], 20);
      const bdy = seeded([300, 20], 21);
      return [
        tf.matMul(x, dy, true, false),
        tf.matMul(dy, w, false, true),
        tf.matMul(x.transpose(), w.transpose(), true, true),
        tf.matMul(x, w),
        tf.matMul(x.reshape([1, 64, 40]), w.reshape([1, 40, 37])),
        tf.matMul(bx, bdy, true, false),
        tf.matMul(bdy, bw, false, true),
        tf.matMul(bx.transpose(), bw.transpose(), true, true),
        tf.matMul(bx, bw),
        tf.matMul(seeded([3, 5, 4], 17), seeded([3, 6, 4], 18), false, true),
      ];
    });
  });

  it("a dense layer's fused product: bias rows, no bias, transposes, activations left to tfjs", async () => {
    await expectSameOnCpuAndWasm(() => {
      const x = seeded([32, 33], 50);
      const w = seeded([33, 2], 51);
      const bias = seeded([2], 52);
      return [
        tf.fused.matMul({ a: x, b: w, bias }),
        tf.fused.matMul({ a: x, b: w }),
        tf.fused.matMul({ a: x, b: w, bias: bias.reshape([1, 2]), activation: 'linear' }),
        tf.fused.matMul({
          a: x.transpose(),
          b: w.transpose(),
          transposeA: true,
          transposeB: true,
          bias,
        }),
        tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }),
        tf.fused.matMul({ a: x, b: seeded([33, 19], 53), bias: seeded([19], 54) }),
      ];
    });
  });
});
