import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { batchSplit } from './batch-split';

/**
 * Batch norm (training mode), ReLU and a tiling max pool as one block each way
 * (`assembly/bn-relu-pool.ts`), with half of each pass on the kernel pool's worker where there is
 * one (`batch-split.ts`): the per-channel sums over two parts of the rows (outputs, backward), each
 * into its thread's own scratch, added up on this thread, then the window passes over two halves
 * of the batch. Sums are split at a multiple of 64 rows, the kernels' float32 blocks, so each part
 * forms the blocks the whole call does and only the float64 order of adding the blocks' sums
 * changes (the last bits of a float64 total, which rounding to float32 nearly always hides); the
 * window passes give the same results bit for bit. One thread, `TRAINYARD_WASM_POOL=0` and small
 * blocks run the whole-batch kernels.
 */

/** The block's sizes: x is [batch, inH, inW, channels] (channels a multiple of 4). */
export interface BnReluPoolGeometry {
  batch: number;
  inH: number;
  inW: number;
  channels: number;
  poolH: number;
  poolW: number;
  /** Batch norm's ε, added to the variance. */
  epsilon: number;
}

/**
 * Heap byte offsets (`heapOffset`) of the forward pass's tensors: x, gamma and beta in; pooled,
 * winner (int32) and winnerX [batch, ⌊inH/poolH⌋, ⌊inW/poolW⌋, channels], mean and variance
 * [channels] out; scratch of 9 × channels floats, 8-byte aligned.
 */
export interface BnReluPoolForwardTensors {
  x: number;
  gamma: number;
  beta: number;
  pooled: number;
  winner: number;
  winnerX: number;
  mean: number;
  variance: number;
  scratch: number;
}

/**
 * Heap byte offsets of the backward pass's tensors: the forward pass's x, pooled, winner, winnerX,
 * mean, variance and gamma, and dPooled (pooled's gradient) in; dx (x's shape), dgamma and dbeta
 * [channels] out; scratch of 9 × channels floats, 8-byte aligned.
 */
export interface BnReluPoolBackwardTensors {
  dPooled: number;
  x: number;
  pooled: number;
  winner: number;
  winnerX: number;
  mean: number;
  variance: number;
  gamma: number;
  dx: number;
  dgamma: number;
  dbeta: number;
  scratch: number;
}

/**
 * Work per input value of either pass, in the convolution multiply-adds `batchSplit` weighs: a
 * block's pass costs ~1.3 ns a value on one thread (stage 2 of the bench CNN: 0.53 ms forward for
 * 401,408 values), a SIMD multiply-add of the filter gradient ~0.08 ns.
 */
const WORK_PER_VALUE = 16;

/** The kernels' float32 blocks: 64 rows (forward) or pooled outputs (backward). */
const BLOCK = 64;

/** Where to cut `count` rows for two sums: at a multiple of BLOCK, the larger part second. */
const sumsCut = (count: number) => Math.floor(count / 2 / BLOCK) * BLOCK;

/** Scratch layout (`assembly/batch-norm.ts`): the float32 coefficients from byte 24 × channels. */
const coefficients = (scratch: number, channels: number) => scratch + 24 * channels;

/**
 * The forward pass (`bnReluPoolForward` of `assembly/bn-relu-pool.ts`): pooled = max over each
 * window of relu(batchNorm(x)), each window's first largest position and x there, and the batch's
 * mean and biased variance.
 */
export function bnReluPoolForward(
  backend: BackendWasm,
  t: BnReluPoolForwardTensors,
  g: BnReluPoolGeometry,
): void {
  const simd = simdKernels(backend);
  const { batch, inH, inW, channels, poolH, poolW, epsilon } = g;
  const rows = batch * inH * inW;
  const split = batchSplit(backend, batch, rows * channels * WORK_PER_VALUE);
  if (!split) {
    simd.bnReluPoolForward(
      t.x,
      t.gamma,
      t.beta,
      t.pooled,
      t.winner,
      t.winnerX,
      t.mean,
      t.variance,
      batch,
      inH,
      inW,
      channels,
      poolH,
      poolW,
      epsilon,
      t.scratch,
    );
    return;
  }
  const { pool, first } = split;
  const pixel = channels * 4;
  const workerScratch = backend.makeOutput([9 * channels], 'float32');
  try {
    const other = heapOffset(backend, workerScratch);
    const cut = sumsCut(rows);
    const sums = (squared: number) =>
      pool.together(
        'bnSums',
        [t.x + cut * pixel, t.mean, rows - cut, channels, squared, other],
        () => simd.bnSums(t.x, t.mean, cut, channels, squared, t.scratch),
      );
    sums(0);
    simd.bnMeanOfParts(t.mean, rows, channels, t.scratch, other);
    sums(1);
    simd.bnNormalizationOfParts(
      t.gamma,
      t.beta,
      t.mean,
      t.variance,
      rows,
      channels,
      epsilon,
      t.scratch,
      other,
    );
    const scale = coefficients(t.scratch, channels);
    const shift = scale + pixel;
    const image = inH * inW * pixel;
    const pooledImage = Math.floor(inH / poolH) * Math.floor(inW / poolW) * pixel;
    const windows = (from: number, count: number) =>
      [
        t.x + from * image,
        scale,
        shift,
        t.pooled + from * pooledImage,
        t.winner + from * pooledImage,
        t.winnerX + from * pooledImage,
        count,
        inH,
        inW,
        channels,
        poolH,
        poolW,
      ] as const;
    pool.together('bnReluPoolWindows', windows(first, batch - first), () =>
      simd.bnReluPoolWindows(...windows(0, first)),
    );
  } finally {
    backend.disposeData(workerScratch.dataId);
  }
}

/**
 * The backward pass (`bnReluPoolBackward` of `assembly/bn-relu-pool.ts`): dx through the pool's
 * winners, the ReLU and batch norm (its statistics included), dgamma and dbeta.
 */
export function bnReluPoolBackward(
  backend: BackendWasm,
  t: BnReluPoolBackwardTensors,
  g: BnReluPoolGeometry,
): void {
  const simd = simdKernels(backend);
  const { batch, inH, inW, channels, poolH, poolW, epsilon } = g;
  const rows = batch * inH * inW;
  const split = batchSplit(backend, batch, rows * channels * WORK_PER_VALUE);
  if (!split) {
    simd.bnReluPoolBackward(
      t.dPooled,
      t.x,
      t.pooled,
      t.winner,
      t.winnerX,
      t.mean,
      t.variance,
      t.gamma,
      t.dx,
      t.dgamma,
      t.dbeta,
      batch,
      inH,
      inW,
      channels,
      poolH,
      poolW,
      epsilon,
      t.scratch,
    );
    return;
  }
  const { pool, first } = split;
  const pixel = channels * 4;
  const outputs = batch * Math.floor(inH / poolH) * Math.floor(inW / poolW);
  const workerScratch = backend.makeOutput([9 * channels], 'float32');
  try {
    const other = heapOffset(backend, workerScratch);
    const cut = sumsCut(outputs);
    const at = cut * pixel;
    pool.together(
      'bnReluPoolGradientSums',
      [t.dPooled + at, t.pooled + at, t.winnerX + at, t.mean, outputs - cut, channels, other],
      () =>
        simd.bnReluPoolGradientSums(
          t.dPooled,
          t.pooled,
          t.winnerX,
          t.mean,
          cut,
          channels,
          t.scratch,
        ),
    );
    simd.bnReluPoolCoefficientsOfParts(
      t.mean,
      t.variance,
      t.gamma,
      t.dgamma,
      t.dbeta,
      rows,
      channels,
      epsilon,
      t.scratch,
      other,
    );
    const k1 = coefficients(t.scratch, channels);
    const image = inH * inW * pixel;
    const pooledImage = (outputs / batch) * pixel;
    const windows = (from: number, count: number) =>
      [
        t.dPooled + from * pooledImage,
        t.x + from * image,
        t.pooled + from * pooledImage,
        t.winner + from * pooledImage,
        k1,
        k1 + pixel,
        k1 + 2 * pixel,
        t.dx + from * image,
        count,
        inH,
        inW,
        channels,
        poolH,
        poolW,
      ] as const;
    pool.together('bnReluPoolGradientWindows', windows(first, batch - first), () =>
      simd.bnReluPoolGradientWindows(...windows(0, first)),
    );
  } finally {
    backend.disposeData(workerScratch.dataId);
  }
}
