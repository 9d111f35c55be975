import {
  gateGrad4,
  gateInPlace,
  gemmAccumulate,
  gemmTransposedA,
  load4,
  store4,
  tanhInPlace,
} from './gate-math';
import {
  addInto,
  bytes,
  columnTotals,
  copyRow,
  fromStepMajor,
  toStepMajor,
  transpose2d,
} from './sequence-layout';

/**
 * A tfjs-layers GRU (reset before the product, tfjs's only variant) over a whole sequence in one
 * call, forward and backward. Weights in tfjs's layout: kernel [D, 3U], recurrent kernel [U, 3U],
 * bias [3U], gates in the order z, r, h; tanh for the candidate, sigmoid or hard sigmoid for the
 * gates; zero initial state.
 *
 * x_z, x_r, x_h = x_t·kernel + bias; z = gate(x_z + h_{t−1}·R_z); r = gate(x_r + h_{t−1}·R_r);
 * hh = tanh(x_h + (r·h_{t−1})·R_h); h_t = z·h_{t−1} + (1 − z)·hh.
 *
 * Step-major buffers the backward pass reads: hs [T + 1, B, U] (row 0 the zero initial state),
 * gates [T, B, 3U] (z, r, hh after their activations), rh [T, B, U] (r·h_{t−1}).
 */

/**
 * Forward pass. x [B, T, D]; out [B, T, U] with `returnSequences`, else [B, U]; hs, gates, rh as
 * above; xs scratch [T, B, D].
 */
export function gruForward(
  x: usize,
  kernel: usize,
  recurrent: usize,
  bias: usize,
  out: usize,
  hs: usize,
  gates: usize,
  rh: usize,
  xs: usize,
  batch: i32,
  steps: i32,
  inputDim: i32,
  units: i32,
  hard: bool,
  returnSequences: bool,
  goBackwards: bool,
): void {
  const g = 3 * units;
  const state = batch * units;
  memory.fill(hs, 0, bytes(state));
  toStepMajor(x, xs, batch, steps, inputDim, goBackwards);
  const rows = steps * batch;
  for (let r = 0; r < rows; r++) copyRow(gates + bytes(r * g), bias, g);
  gemmAccumulate(xs, inputDim, kernel, g, gates, g, rows, inputDim, g);
  const one = f32x4.splat(1);
  for (let s = 0; s < steps; s++) {
    const gs = gates + bytes(s * batch * g);
    const hPrev = hs + bytes(s * state);
    const hNext = hPrev + bytes(state);
    const rhs = rh + bytes(s * state);
    // z and r: h_{t−1} times the first 2U columns of the recurrent kernel.
    gemmAccumulate(hPrev, units, recurrent, g, gs, g, batch, units, 2 * units);
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      const at = bytes(b * units);
      gateInPlace(row, 2 * units, hard);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        const r = load4(row + bytes(units + j), n);
        store4(rhs + at + bytes(j), f32x4.mul(r, load4(hPrev + at + bytes(j), n)), n);
      }
    }
    // The candidate's recurrent part: (r·h_{t−1}) times the last U columns.
    gemmAccumulate(rhs, units, recurrent + bytes(2 * units), g, gs + bytes(2 * units), g, batch, units, units);
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      const at = bytes(b * units);
      tanhInPlace(row + bytes(2 * units), units);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        const hh = load4(row + bytes(2 * units + j), n);
        const z = load4(row + bytes(j), n);
        const h = f32x4.add(f32x4.mul(z, load4(hPrev + at + bytes(j), n)), f32x4.mul(f32x4.sub(one, z), hh));
        store4(hNext + at + bytes(j), h, n);
      }
    }
  }
  if (returnSequences) {
    for (let b = 0; b < batch; b++) {
      for (let s = 0; s < steps; s++) {
        memory.copy(
          out + bytes((b * steps + s) * units),
          hs + bytes((s + 1) * state + b * units),
          bytes(units),
        );
      }
    }
  } else {
    memory.copy(out, hs + bytes(steps * state), bytes(state));
  }
}

/**
 * Backward pass (through time) from dy (shaped as the forward's out) to dx [B, T, D], dKernel
 * [D, 3U], dRecurrent [U, 3U] and dBias [3U]. scratch: 3U·(T·B + D + U) + T·B·D + 3·B·U floats.
 */
export function gruBackward(
  dy: usize,
  x: usize,
  kernel: usize,
  recurrent: usize,
  hs: usize,
  gates: usize,
  rh: usize,
  dx: usize,
  dKernel: usize,
  dRecurrent: usize,
  dBias: usize,
  scratch: usize,
  batch: i32,
  steps: i32,
  inputDim: i32,
  units: i32,
  hard: bool,
  returnSequences: bool,
  goBackwards: bool,
): void {
  const g = 3 * units;
  const state = batch * units;
  const rows = steps * batch;
  const dz = scratch;
  const xs = dz + bytes(rows * g);
  const kernelT = xs + bytes(rows * inputDim);
  const recurrentT = kernelT + bytes(g * inputDim);
  let dh = recurrentT + bytes(g * units);
  let dhPrev = dh + bytes(state);
  const dRh = dhPrev + bytes(state);
  toStepMajor(x, xs, batch, steps, inputDim, goBackwards);
  transpose2d(kernel, kernelT, inputDim, g);
  transpose2d(recurrent, recurrentT, units, g);
  memory.fill(dh, 0, bytes(state));
  const one = f32x4.splat(1);
  for (let s = steps - 1; s >= 0; s--) {
    if (returnSequences || s == steps - 1) {
      for (let b = 0; b < batch; b++) {
        const from = dy + bytes(returnSequences ? (b * steps + s) * units : b * units);
        addInto(dh + bytes(b * units), from, units);
      }
    }
    const gs = gates + bytes(s * batch * g);
    const dzs = dz + bytes(s * batch * g);
    const hPrev = hs + bytes(s * state);
    // The candidate's pre-activation gradient and the update gate's, then through R_h.
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      const dRow = dzs + bytes(b * g);
      const at = bytes(b * units);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        const o4 = at + bytes(j);
        const z = load4(row + bytes(j), n);
        const hh = load4(row + bytes(2 * units + j), n);
        const dhv = load4(dh + o4, n);
        const hp = load4(hPrev + o4, n);
        const dah = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hh, hh)));
        const daz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(hp, hh)), gateGrad4(z, hard));
        store4(dRow + bytes(j), daz, n);
        store4(dRow + bytes(2 * units + j), dah, n);
        store4(dhPrev + o4, f32x4.mul(dhv, z), n);
      }
    }
    memory.fill(dRh, 0, bytes(state));
    gemmAccumulate(dzs + bytes(2 * units), g, recurrentT + bytes(2 * units * units), units, dRh, units, batch, units, units);
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      const dRow = dzs + bytes(b * g);
      const at = bytes(b * units);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        const o4 = at + bytes(j);
        const r = load4(row + bytes(units + j), n);
        const drh = load4(dRh + o4, n);
        const dar = f32x4.mul(f32x4.mul(drh, load4(hPrev + o4, n)), gateGrad4(r, hard));
        store4(dRow + bytes(units + j), dar, n);
        store4(dhPrev + o4, f32x4.add(load4(dhPrev + o4, n), f32x4.mul(drh, r)), n);
      }
    }
    gemmAccumulate(dzs, g, recurrentT, units, dhPrev, units, batch, 2 * units, units);
    const swap = dh;
    dh = dhPrev;
    dhPrev = swap;
  }
  gemmTransposedA(xs, inputDim, dz, g, dKernel, g, inputDim, rows, g);
  gemmTransposedA(hs, units, dz, g, dRecurrent, g, units, rows, 2 * units);
  gemmTransposedA(rh, units, dz + bytes(2 * units), g, dRecurrent + bytes(2 * units), g, units, rows, units);
  columnTotals(dz, dBias, rows, g);
  // dx as one product over all T·B rows, step-major into xs's space, then to [B, T, D].
  memory.fill(xs, 0, bytes(rows * inputDim));
  gemmAccumulate(dz, g, kernelT, inputDim, xs, inputDim, rows, g, inputDim);
  fromStepMajor(xs, dx, batch, steps, inputDim, goBackwards);
}
