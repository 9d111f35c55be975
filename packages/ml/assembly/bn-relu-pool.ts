import {
  addTotals,
  backwardCoefficients,
  batchStatistics,
  channelSums,
  meanFromTotals,
  normalizationFromTotals,
} from './batch-norm';

/**
 * Batch normalization in training mode, ReLU and max pooling as one block, the stage of a CNN
 * after each convolution, over NHWC float32 in the tfjs wasm heap, for pooling windows that tile
 * the image (strides = pool size, 'valid') and channels a multiple of 4. Separately these are five
 * passes over the full-size activation forward and five backward, with the ReLU's and batch norm's
 * outputs written out; here the normalized values are formed window by window and only the pooled
 * output and, per output, which window position won are stored.
 *
 * The results are those of the three layers: pooled = max over the window of relu(x·scale + shift),
 * and the gradient of each output goes to the first largest position of its window (TensorFlow's
 * scan order) when that value is positive (the ReLU's gradient is 0 elsewhere).
 *
 * Each way is a whole-batch kernel (`bnReluPoolForward`, `bnReluPoolBackward`) and the same work in
 * parts for two threads over one heap (`src/backend/kernels/bn-relu-pool.ts`): per-channel sums
 * over part of the rows into each thread's own scratch (`bnSums`, `bnReluPoolGradientSums`), the
 * second part's totals added to the first's (`bnMeanOfParts`, `bnNormalizationOfParts`,
 * `bnReluPoolCoefficientsOfParts`, on one thread), then the window passes over slices of the
 * batch (`bnReluPoolWindows`, `bnReluPoolGradientWindows`). Sums are taken in float32 over blocks
 * of 64 rows (outputs, backward) and added up in float64: parts split at a multiple of 64 form the
 * same blocks, and only the float64 order of the blocks' sums changes.
 */

/**
 * x [batch, inH, inW, channels] → pooled [batch, ⌊inH/poolH⌋, ⌊inW/poolW⌋, channels], `winner`
 * (int32, same shape: r·poolW + s of the window's first largest value), `winnerX` (same shape: x
 * there), and the batch's mean and variance [channels]. `scratch`: 9 × channels floats, 8-byte
 * aligned.
 */
export function bnReluPoolForward(
  x: usize,
  gamma: usize,
  beta: usize,
  pooled: usize,
  winner: usize,
  winnerX: usize,
  mean: usize,
  variance: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  poolH: i32,
  poolW: i32,
  epsilon: f32,
  scratch: usize,
): void {
  const rows = batch * inH * inW;
  const scale = batchStatistics(x, gamma, beta, mean, variance, rows, channels, epsilon, scratch);
  const shift = scale + ((<usize>channels) << 2);
  bnReluPoolWindows(
    x,
    scale,
    shift,
    pooled,
    winner,
    winnerX,
    batch,
    inH,
    inW,
    channels,
    poolH,
    poolW,
  );
}

/**
 * A part of the forward statistics: per channel over `rows` rows of x [rows, channels], Σ x
 * (`squared` 0) or Σ (x − mean)² (`squared` 1), into the float64 totals at the start of `scratch`
 * (9 × channels floats, 8-byte aligned; each thread its own).
 */
export function bnSums(
  x: usize,
  mean: usize,
  rows: i32,
  channels: i32,
  squared: i32,
  scratch: usize,
): void {
  if (squared) channelSums(x, 0, mean, rows, channels, scratch, true);
  else channelSums(x, 0, 0, rows, channels, scratch);
}

/**
 * After `bnSums` (`squared` 0) over the parts: adds the totals of `other` (the other part's
 * scratch; 0 for none) to those of `scratch` and writes mean = Σ x / rows, `rows` of all parts.
 */
export function bnMeanOfParts(
  mean: usize,
  rows: i32,
  channels: i32,
  scratch: usize,
  other: usize,
): void {
  if (other != 0) addTotals(scratch, other, channels);
  meanFromTotals(mean, rows, channels, scratch);
}

/**
 * After `bnSums` (`squared` 1) over the parts: adds `other`'s totals (0 for none) and writes the
 * variance, and the normalization y = x·scale + shift into `scratch`: scale at byte 24 × channels,
 * shift 4 × channels bytes after it (what `bnReluPoolWindows` takes).
 */
export function bnNormalizationOfParts(
  gamma: usize,
  beta: usize,
  mean: usize,
  variance: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
  other: usize,
): void {
  if (other != 0) addTotals(scratch, other, channels);
  normalizationFromTotals(gamma, beta, mean, variance, rows, channels, epsilon, scratch);
}

/**
 * The forward window pass over `batch` images: pooled, winner and winnerX (layouts of
 * `bnReluPoolForward`) from x and the normalization's scale and shift [channels].
 */
export function bnReluPoolWindows(
  x: usize,
  scale: usize,
  shift: usize,
  pooled: usize,
  winner: usize,
  winnerX: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  poolH: i32,
  poolW: i32,
): void {
  const outH = inH / poolH;
  const outW = inW / poolW;
  const pixel = (<usize>channels) << 2;
  const zero = f32x4.splat(0);
  let out: usize = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const corner = x + <usize>((b * inH + oy * poolH) * inW + ox * poolW) * pixel;
        for (let c = 0; c < channels; c += 4) {
          const o = (<usize>c) << 2;
          const k = v128.load(scale + o);
          const t = v128.load(shift + o);
          let best = f32x4.splat(-Infinity);
          let at = i32x4.splat(0);
          let bestX = zero;
          for (let r = 0; r < poolH; r++) {
            const row = corner + <usize>(r * inW) * pixel + o;
            for (let s = 0; s < poolW; s++) {
              const xv = v128.load(row + <usize>s * pixel);
              const v = f32x4.add(f32x4.mul(xv, k), t);
              const greater = f32x4.gt(v, best);
              best = v128.bitselect(v, best, greater);
              bestX = v128.bitselect(xv, bestX, greater);
              at = v128.bitselect(i32x4.splat(r * poolW + s), at, greater);
            }
          }
          v128.store(pooled + out + o, f32x4.max(best, zero));
          v128.store(winner + out + o, at);
          v128.store(winnerX + out + o, bestX);
        }
        out += pixel;
      }
    }
  }
}

/**
 * The gradients of `bnReluPoolForward` given dPooled (the pooled output's gradient): dx [batch,
 * inH, inW, channels] (through the batch statistics too), dgamma and dbeta [channels]. `scratch`:
 * 9 × channels floats, 8-byte aligned.
 */
export function bnReluPoolBackward(
  dPooled: usize,
  x: usize,
  pooled: usize,
  winner: usize,
  winnerX: usize,
  mean: usize,
  variance: usize,
  gamma: usize,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  poolH: i32,
  poolW: i32,
  epsilon: f32,
  scratch: usize,
): void {
  const outputs = batch * (inH / poolH) * (inW / poolW);
  bnReluPoolGradientSums(dPooled, pooled, winnerX, mean, outputs, channels, scratch);
  const rows = batch * inH * inW;
  const k1 = backwardCoefficients(mean, variance, gamma, dgamma, dbeta, rows, channels, epsilon, scratch);
  const k2 = k1 + ((<usize>channels) << 2);
  const k3 = k2 + ((<usize>channels) << 2);
  bnReluPoolGradientWindows(
    dPooled,
    x,
    pooled,
    winner,
    k1,
    k2,
    k3,
    dx,
    batch,
    inH,
    inW,
    channels,
    poolH,
    poolW,
  );
}

/**
 * A part of the backward sums: Σ dy and Σ dy·(x − mean) per channel over `outputs` pooled outputs
 * (dy is 0 off the winning positions, so the winners' x, `winnerX`, is all it needs), into the
 * float64 totals at the start of `scratch` (9 × channels floats, 8-byte aligned; each thread its
 * own). In float32 over blocks of 64 outputs, added up in float64 (as batch norm's own sums).
 */
export function bnReluPoolGradientSums(
  dPooled: usize,
  pooled: usize,
  winnerX: usize,
  mean: usize,
  outputs: i32,
  channels: i32,
  scratch: usize,
): void {
  const pixel = (<usize>channels) << 2;
  const zero = f32x4.splat(0);
  const totalA = scratch;
  const totalB = scratch + ((<usize>channels) << 3);
  const blockA = scratch + ((<usize>channels) << 4);
  const blockB = blockA + pixel;
  memory.fill(totalA, 0, (<usize>channels) << 4);
  for (let start = 0; start < outputs; start += 64) {
    const end = min(outputs, start + 64);
    memory.fill(blockA, 0, pixel << 1);
    for (let p = start; p < end; p++) {
      const cell = <usize>p * pixel;
      for (let c = 0; c < channels; c += 4) {
        const o = (<usize>c) << 2;
        const g = v128.and(
          v128.load(dPooled + cell + o),
          f32x4.gt(v128.load(pooled + cell + o), zero),
        );
        const centered = f32x4.sub(v128.load(winnerX + cell + o), v128.load(mean + o));
        v128.store(blockA + o, f32x4.add(v128.load(blockA + o), g));
        v128.store(blockB + o, f32x4.add(v128.load(blockB + o), f32x4.mul(g, centered)));
      }
    }
    for (let c = 0; c < channels; c++) {
      const o64 = (<usize>c) << 3;
      const o32 = (<usize>c) << 2;
      store<f64>(totalA + o64, load<f64>(totalA + o64) + <f64>load<f32>(blockA + o32));
      store<f64>(totalB + o64, load<f64>(totalB + o64) + <f64>load<f32>(blockB + o32));
    }
  }
}

/**
 * After `bnReluPoolGradientSums` over the parts: adds `other`'s totals (0 for none), writes dgamma
 * and dbeta, and the coefficients of dx = dy·k1 + x·k2 + k3 into `scratch`: k1 at byte
 * 24 × channels, k2 and k3 each 4 × channels bytes after the one before (what
 * `bnReluPoolGradientWindows` takes). `rows`: batch × inH × inW.
 */
export function bnReluPoolCoefficientsOfParts(
  mean: usize,
  variance: usize,
  gamma: usize,
  dgamma: usize,
  dbeta: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
  other: usize,
): void {
  if (other != 0) addTotals(scratch, other, channels);
  backwardCoefficients(mean, variance, gamma, dgamma, dbeta, rows, channels, epsilon, scratch);
}

/**
 * The backward window pass over `batch` images: dx = dy·k1 + k3 + x·k2 (batch norm's own order),
 * dy the output's gradient at the winner (0 elsewhere and where the pooled value is not positive).
 */
export function bnReluPoolGradientWindows(
  dPooled: usize,
  x: usize,
  pooled: usize,
  winner: usize,
  k1: usize,
  k2: usize,
  k3: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  poolH: i32,
  poolW: i32,
): void {
  const outH = inH / poolH;
  const outW = inW / poolW;
  const pixel = (<usize>channels) << 2;
  const zero = f32x4.splat(0);
  // Window by window, each output's gradient and winner loaded once for its window.
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const corner = <usize>((b * inH + oy * poolH) * inW + ox * poolW) * pixel;
        const cell = <usize>((b * outH + oy) * outW + ox) * pixel;
        for (let c = 0; c < channels; c += 4) {
          const o = (<usize>c) << 2;
          const positive = f32x4.gt(v128.load(pooled + cell + o), zero);
          const g = f32x4.mul(v128.and(v128.load(dPooled + cell + o), positive), v128.load(k1 + o));
          const won = v128.load(winner + cell + o);
          const kx = v128.load(k2 + o);
          const shift = v128.load(k3 + o);
          const hit = f32x4.add(g, shift);
          for (let r = 0; r < poolH; r++) {
            const row = corner + <usize>(r * inW) * pixel + o;
            for (let s = 0; s < poolW; s++) {
              const mine = i32x4.eq(won, i32x4.splat(r * poolW + s));
              const at = row + <usize>s * pixel;
              const v = v128.bitselect(hit, shift, mine);
              v128.store(dx + at, f32x4.add(v, f32x4.mul(v128.load(x + at), kx)));
            }
          }
        }
      }
    }
    // Rows and columns no window covers: no gradient from the output, only the statistics'.
    for (let y = 0; y < inH; y++) {
      const fromX = y < outH * poolH ? outW * poolW : 0;
      for (let xx = fromX; xx < inW; xx++) {
        const at = <usize>((b * inH + y) * inW + xx) * pixel;
        for (let c = 0; c < channels; c += 4) {
          const o = (<usize>c) << 2;
          const v = f32x4.mul(v128.load(x + at + o), v128.load(k2 + o));
          v128.store(dx + at + o, f32x4.add(v128.load(k3 + o), v));
        }
      }
    }
  }
}
