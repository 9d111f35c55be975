import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdKernels } from '../simd';
import { batchSplit } from './batch-split';

/** PCG32's step (`assembly/dropout.ts`): state ← state·A + C mod 2^64. */
const A = 6364136223846793005n;
const C = 1442695040888963407n;
const MASK = (1n << 64n) - 1n;

/** The state `steps` PCG steps after `state` (jump-ahead by squaring the step, O(log steps)). */
export function pcgSkip(state: bigint, steps: number): bigint {
  let multiply = 1n;
  let add = 0n;
  let stepMultiply = A;
  let stepAdd = C;
  for (let k = BigInt(steps); k > 0n; k >>= 1n) {
    if (k & 1n) {
      multiply = (multiply * stepMultiply) & MASK;
      add = (add * stepMultiply + stepAdd) & MASK;
    }
    stepAdd = ((stepMultiply + 1n) * stepAdd) & MASK;
    stepMultiply = (stepMultiply * stepMultiply) & MASK;
  }
  return (multiply * (state & MASK) + add) & MASK;
}

/**
 * `dropoutForward` (`assembly/dropout.ts`) over `size` floats at heap offsets x, mask and y, with
 * the second half on the kernel pool's worker where there is one (`batch-split.ts`). The kernel
 * starts its stream one step after its seed and takes one step per element, so the half from
 * element `first` on is the same call with the seed `first` steps ahead: the mask is exactly that
 * of one call.
 */
export function dropoutForward(
  backend: BackendWasm,
  x: number,
  mask: number,
  y: number,
  size: number,
  keep: number,
  seed: bigint,
): void {
  const simd = simdKernels(backend);
  // A draw costs about what 64 of a convolution's multiply-adds do (0.6 ms for 100,352 draws).
  const split = batchSplit(backend, size, size * 64);
  if (!split) {
    simd.dropoutForward(x, mask, y, size, keep, seed);
    return;
  }
  const { pool, first } = split;
  const skip = first * 4;
  pool.together(
    'dropoutForward',
    [x + skip, mask + skip, y + skip, size - first, keep, pcgSkip(seed, first)],
    () => simd.dropoutForward(x, mask, y, first, keep, seed),
  );
}
