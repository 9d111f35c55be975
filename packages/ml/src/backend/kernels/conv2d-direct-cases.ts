import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded } from './test-support';

type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * Stride-1 convolutions our direct kernel takes (co a multiple of 8), sized so that every path
 * runs: blocks of 6 pixels and leftover pixels, 4 taps at a time and the rest, several blocks of
 * 8 channels, 'same', 'valid' and uneven explicit padding, non-square filters.
 */
const CASES: { name: string; x: number[]; f: number[]; pad: Pad }[] = [
  {
    name: '3×3 same, 1 → 16 (a first layer on grey images)',
    x: [3, 9, 9, 1],
    f: [3, 3, 1, 16],
    pad: 'same',
  },
  {
    name: '3×3 same, 16 → 32 (the bench CNN’s second layer)',
    x: [2, 7, 7, 16],
    f: [3, 3, 16, 32],
    pad: 'same',
  },
  { name: '3×3 same, 3 → 8 on RGB, odd sizes', x: [2, 5, 11, 3], f: [3, 3, 3, 8], pad: 'same' },
  { name: '3×3 valid, 5 → 8', x: [2, 8, 6, 5], f: [3, 3, 5, 8], pad: 'valid' },
  { name: '1×1, 12 → 24', x: [2, 4, 5, 12], f: [1, 1, 12, 24], pad: 'valid' },
  {
    name: '5×3 same, 8 → 16 (ci 8: taps in fours only)',
    x: [1, 9, 7, 8],
    f: [5, 3, 8, 16],
    pad: 'same',
  },
  { name: '2×2 same (uneven padding), 4 → 8', x: [2, 6, 6, 4], f: [2, 2, 4, 8], pad: 'same' },
  {
    name: 'explicit padding, wider at the bottom and right',
    x: [1, 6, 7, 2],
    f: [3, 3, 2, 8],
    pad: [
      [0, 0],
      [0, 2],
      [1, 2],
      [0, 0],
    ],
  },
];

/**
 * One test per case: y = conv2d(x, f), and the gradients of Σ y·dy with respect to x and f, on
 * wasm and on cpu, must agree. The input gradient takes our kernel too when both channel counts
 * are multiples of 8 (and co otherwise falls back to XNNPACK); the filter gradient is ours always.
 */
export function convCasesAgreeWithCpu(tolerance = 1e-4): void {
  for (const c of CASES) {
    it(c.name, async () => {
      await expectSameOnCpuAndWasm(() => {
        const x = seeded(c.x, 1) as tf.Tensor4D;
        const f = seeded(c.f, 2) as tf.Tensor4D;
        const y = tf.conv2d(x, f, 1, c.pad);
        const dy = seeded(y.shape, 3);
        const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf
            .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, c.pad)
            .mul(dy)
            .sum(),
        )([x, f]);
        return [y, dx!, df!];
      }, tolerance);
    });
  }
}
