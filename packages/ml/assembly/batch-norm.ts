/**
 * Batch normalization in training mode over float32 [rows, channels] data (NHWC flattened), in the
 * tfjs wasm heap: the forward pass (batch statistics and the normalized output in three passes) and
 * the backward pass (all three gradients in two passes), four channels at a time. Per-channel sums
 * are taken in float32 over blocks of rows and added up in float64, so long batches do not lose
 * precision. `scratch` holds 9 × channels floats (36 bytes per channel, 8-byte aligned).
 */

const BLOCK_ROWS = 64;

/**
 * Per channel, into float64 `totalA` / `totalB` at the start of `scratch`: Σ a, and Σ a·(b - center)
 * when `b` is not 0; with `squared`, Σ (a - center)² instead of both (totalA then 0).
 */
export function channelSums(
  a: usize,
  b: usize,
  center: usize,
  rows: i32,
  channels: i32,
  scratch: usize,
  squared: bool = false,
): void {
  const totalA = scratch;
  const totalB = scratch + ((<usize>channels) << 3);
  const blockA = scratch + ((<usize>channels) << 4);
  const blockB = blockA + ((<usize>channels) << 2);
  const vectorEnd = channels & ~3;
  memory.fill(totalA, 0, (<usize>channels) << 4);
  const rowBytes = (<usize>channels) << 2;
  for (let start = 0; start < rows; start += BLOCK_ROWS) {
    const end = min(rows, start + BLOCK_ROWS);
    memory.fill(blockA, 0, rowBytes << 1);
    for (let r = start; r < end; r++) {
      const rowA = a + (<usize>r) * rowBytes;
      let c = 0;
      if (squared) {
        for (; c < vectorEnd; c += 4) {
          const o = (<usize>c) << 2;
          const centered = f32x4.sub(v128.load(rowA + o), v128.load(center + o));
          v128.store(blockB + o, f32x4.add(v128.load(blockB + o), f32x4.mul(centered, centered)));
        }
        for (; c < channels; c++) {
          const o = (<usize>c) << 2;
          const centered = load<f32>(rowA + o) - load<f32>(center + o);
          store<f32>(blockB + o, load<f32>(blockB + o) + centered * centered);
        }
      } else if (b == 0) {
        for (; c < vectorEnd; c += 4) {
          const o = (<usize>c) << 2;
          v128.store(blockA + o, f32x4.add(v128.load(blockA + o), v128.load(rowA + o)));
        }
        for (; c < channels; c++) {
          const o = (<usize>c) << 2;
          store<f32>(blockA + o, load<f32>(blockA + o) + load<f32>(rowA + o));
        }
      } else {
        const rowB = b + (<usize>r) * rowBytes;
        for (; c < vectorEnd; c += 4) {
          const o = (<usize>c) << 2;
          const va = v128.load(rowA + o);
          const centered = f32x4.sub(v128.load(rowB + o), v128.load(center + o));
          v128.store(blockA + o, f32x4.add(v128.load(blockA + o), va));
          v128.store(blockB + o, f32x4.add(v128.load(blockB + o), f32x4.mul(va, centered)));
        }
        for (; c < channels; c++) {
          const o = (<usize>c) << 2;
          const va = load<f32>(rowA + o);
          store<f32>(blockA + o, load<f32>(blockA + o) + va);
          const centered = load<f32>(rowB + o) - load<f32>(center + o);
          store<f32>(blockB + o, load<f32>(blockB + o) + va * centered);
        }
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

/** out = a·k1 + b·k2 + k3 per channel (k2/b skipped when `b` is 0), over all rows. */
function affine(
  a: usize,
  b: usize,
  k1: usize,
  k2: usize,
  k3: usize,
  out: usize,
  rows: i32,
  channels: i32,
): void {
  const vectorEnd = channels & ~3;
  const rowBytes = (<usize>channels) << 2;
  for (let r = 0; r < rows; r++) {
    const rowOffset = (<usize>r) * rowBytes;
    let c = 0;
    for (; c < vectorEnd; c += 4) {
      const o = (<usize>c) << 2;
      let v = f32x4.add(f32x4.mul(v128.load(a + rowOffset + o), v128.load(k1 + o)), v128.load(k3 + o));
      if (b != 0) v = f32x4.add(v, f32x4.mul(v128.load(b + rowOffset + o), v128.load(k2 + o)));
      v128.store(out + rowOffset + o, v);
    }
    for (; c < channels; c++) {
      const o = (<usize>c) << 2;
      let v = load<f32>(a + rowOffset + o) * load<f32>(k1 + o) + load<f32>(k3 + o);
      if (b != 0) v += load<f32>(b + rowOffset + o) * load<f32>(k2 + o);
      store<f32>(out + rowOffset + o, v);
    }
  }
}

/**
 * y = (x - mean) / sqrt(variance + epsilon) · gamma + beta with the batch's own per-channel mean and
 * (biased) variance, which are written to `mean` and `variance`.
 */
export function batchNormForward(
  x: usize,
  gamma: usize,
  beta: usize,
  y: usize,
  mean: usize,
  variance: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
): void {
  const scale = batchStatistics(x, gamma, beta, mean, variance, rows, channels, epsilon, scratch);
  affine(x, 0, scale, 0, scale + ((<usize>channels) << 2), y, rows, channels);
}

/**
 * The batch's per-channel mean and (biased) variance into `mean` and `variance`, and the affine
 * form of the normalization, y = x·scale + shift, into scratch: returns where `scale` starts
 * (`shift` follows it, channels floats later).
 */
export function batchStatistics(
  x: usize,
  gamma: usize,
  beta: usize,
  mean: usize,
  variance: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
): usize {
  channelSums(x, 0, 0, rows, channels, scratch);
  meanFromTotals(mean, rows, channels, scratch);
  // A second pass around the mean: no cancellation when the variance is small next to the mean.
  channelSums(x, 0, mean, rows, channels, scratch, true);
  return normalizationFromTotals(gamma, beta, mean, variance, rows, channels, epsilon, scratch);
}

/**
 * Adds the float64 totals at the start of `other` (Σ a and Σ b per channel, as `channelSums`
 * leaves them: the sums over another part of the rows) to those of `scratch`.
 */
export function addTotals(scratch: usize, other: usize, channels: i32): void {
  for (let i = 0; i < channels << 1; i++) {
    const o = (<usize>i) << 3;
    store<f64>(scratch + o, load<f64>(scratch + o) + load<f64>(other + o));
  }
}

/** mean = Σ x / rows per channel, from the float64 totalA of `scratch` (`channelSums`). */
export function meanFromTotals(mean: usize, rows: i32, channels: i32, scratch: usize): void {
  for (let c = 0; c < channels; c++) {
    store<f32>(mean + ((<usize>c) << 2), <f32>(load<f64>(scratch + ((<usize>c) << 3)) / rows));
  }
}

/**
 * From Σ (x − mean)² per channel (float64 totalB of `scratch`, `channelSums` squared): the biased
 * variance into `variance` and y = x·scale + shift into scratch; returns where `scale` starts
 * (`shift` follows it, channels floats later).
 */
export function normalizationFromTotals(
  gamma: usize,
  beta: usize,
  mean: usize,
  variance: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
): usize {
  const totalB = scratch + ((<usize>channels) << 3);
  const scale = scratch + <usize>channels * 24;
  const shift = scale + ((<usize>channels) << 2);
  for (let c = 0; c < channels; c++) {
    const o = (<usize>c) << 2;
    const v = load<f64>(totalB + ((<usize>c) << 3)) / rows;
    const m = load<f32>(mean + o);
    store<f32>(variance + o, <f32>v);
    const k = <f64>load<f32>(gamma + o) / Math.sqrt(v + <f64>epsilon);
    store<f32>(scale + o, <f32>k);
    store<f32>(shift + o, <f32>(<f64>load<f32>(beta + o) - <f64>m * k));
  }
  return scale;
}

/**
 * Gradients of `batchNormForward` given dy: dx (through the batch statistics too), dgamma = Σ dy·x̂,
 * dbeta = Σ dy, with x̂ = (x - mean) / sqrt(variance + epsilon).
 */
export function batchNormBackward(
  dy: usize,
  x: usize,
  mean: usize,
  variance: usize,
  gamma: usize,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
): void {
  channelSums(dy, x, mean, rows, channels, scratch);
  const k1 = backwardCoefficients(mean, variance, gamma, dgamma, dbeta, rows, channels, epsilon, scratch);
  const k2 = k1 + ((<usize>channels) << 2);
  affine(dy, x, k1, k2, k2 + ((<usize>channels) << 2), dx, rows, channels);
}

/**
 * From Σ dy and Σ dy·(x − mean) per channel (float64, at the start of scratch, as `channelSums`
 * leaves them): dgamma, dbeta, and the coefficients of dx = dy·k1 + x·k2 + k3 into scratch;
 * returns where k1 starts (k2 and k3 follow, channels floats apart).
 */
export function backwardCoefficients(
  mean: usize,
  variance: usize,
  gamma: usize,
  dgamma: usize,
  dbeta: usize,
  rows: i32,
  channels: i32,
  epsilon: f32,
  scratch: usize,
): usize {
  const totalA = scratch;
  const totalB = scratch + ((<usize>channels) << 3);
  const k1 = scratch + <usize>channels * 24;
  const k2 = k1 + ((<usize>channels) << 2);
  const k3 = k2 + ((<usize>channels) << 2);
  for (let c = 0; c < channels; c++) {
    const o = (<usize>c) << 2;
    const sumDy = load<f64>(totalA + ((<usize>c) << 3));
    const sumDyCentered = load<f64>(totalB + ((<usize>c) << 3));
    const invStd = 1 / Math.sqrt(<f64>load<f32>(variance + o) + <f64>epsilon);
    const g = invStd * sumDyCentered;
    store<f32>(dbeta + o, <f32>sumDy);
    store<f32>(dgamma + o, <f32>g);
    const a = <f64>load<f32>(gamma + o) * invStd;
    const b = (-a * invStd * g) / rows;
    store<f32>(k1 + o, <f32>a);
    store<f32>(k2 + o, <f32>b);
    store<f32>(k3 + o, <f32>((-a * sumDy) / rows - b * <f64>load<f32>(mean + o)));
  }
  return k1;
}
