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
 * A Keras/tfjs-layers LSTM over a whole sequence in one call, forward and backward. Weights in
 * tfjs's layout: kernel [D, 4U], recurrent kernel [U, 4U], bias [4U], gates in the order i, f, c, o;
 * tanh for the cell, sigmoid or tfjs's hard sigmoid for the gates; zero initial state.
 *
 * z = x_t·kernel + h_{t−1}·recurrent + bias; i, f, o = gate(z_i, z_f, z_o); g = tanh(z_c);
 * c_t = f·c_{t−1} + i·g; h_t = o·tanh(c_t).
 *
 * Step-major buffers (what the backward pass reads): hs, cs [T + 1, B, U] (row 0 the zero
 * initial state), gates [T, B, 4U] (i, f, g, o after their activations). `goBackwards` reads the
 * input from its last step to its first, as tfjs does (outputs stay in the order of the steps).
 */

/**
 * Forward pass. x [B, T, D] (batch-major, as tfjs gives it); out [B, T, U] with
 * `returnSequences`, else [B, U] (the last step's h); hs, cs, gates as above; xs scratch
 * [T, B, D].
 */
export function lstmForward(
  x: usize,
  kernel: usize,
  recurrent: usize,
  bias: usize,
  out: usize,
  hs: usize,
  cs: usize,
  gates: usize,
  xs: usize,
  batch: i32,
  steps: i32,
  inputDim: i32,
  units: i32,
  hard: bool,
  returnSequences: bool,
  goBackwards: bool,
): void {
  const g = 4 * units;
  const state = batch * units;
  memory.fill(hs, 0, bytes(state));
  memory.fill(cs, 0, bytes(state));
  toStepMajor(x, xs, batch, steps, inputDim, goBackwards);
  const rows = steps * batch;
  for (let r = 0; r < rows; r++) copyRow(gates + bytes(r * g), bias, g);
  gemmAccumulate(xs, inputDim, kernel, g, gates, g, rows, inputDim, g);
  for (let s = 0; s < steps; s++) {
    const gs = gates + bytes(s * batch * g);
    const hPrev = hs + bytes(s * state);
    const cPrev = cs + bytes(s * state);
    const hNext = hPrev + bytes(state);
    const cNext = cPrev + bytes(state);
    gemmAccumulate(hPrev, units, recurrent, g, gs, g, batch, units, g);
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      gateInPlace(row, 2 * units, hard);
      tanhInPlace(row + bytes(2 * units), units);
      gateInPlace(row + bytes(3 * units), units, hard);
    }
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      const at = bytes(b * units);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        const pi = row + bytes(j);
        const o4 = at + bytes(j);
        const i = load4(pi, n);
        const f = load4(pi + bytes(units), n);
        const cc = load4(pi + bytes(2 * units), n);
        store4(cNext + o4, f32x4.add(f32x4.mul(f, load4(cPrev + o4, n)), f32x4.mul(i, cc)), n);
      }
    }
    // h = o·tanh(c), tanh over the whole step first (see `gateInPlace`).
    memory.copy(hNext, cNext, bytes(state));
    tanhInPlace(hNext, state);
    for (let b = 0; b < batch; b++) {
      const po = gs + bytes(b * g + 3 * units);
      const ph = hNext + bytes(b * units);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        store4(ph + bytes(j), f32x4.mul(load4(po + bytes(j), n), load4(ph + bytes(j), n)), n);
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
 * [D, 4U], dRecurrent [U, 4U] and dBias [4U]. scratch: 4U·(T·B + D + U) + T·B·D + 3·B·U floats.
 */
export function lstmBackward(
  dy: usize,
  x: usize,
  kernel: usize,
  recurrent: usize,
  hs: usize,
  cs: usize,
  gates: usize,
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
  const g = 4 * units;
  const state = batch * units;
  const rows = steps * batch;
  const dz = scratch;
  const xs = dz + bytes(rows * g);
  const kernelT = xs + bytes(rows * inputDim);
  const recurrentT = kernelT + bytes(g * inputDim);
  const dh = recurrentT + bytes(g * units);
  const dc = dh + bytes(state);
  const tanhC = dc + bytes(state);
  toStepMajor(x, xs, batch, steps, inputDim, goBackwards);
  transpose2d(kernel, kernelT, inputDim, g);
  transpose2d(recurrent, recurrentT, units, g);
  memory.fill(dh, 0, bytes(state));
  memory.fill(dc, 0, bytes(state));
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
    const cPrev = cs + bytes(s * state);
    const cNext = cPrev + bytes(state);
    // tanh(c_t) first, in a loop of its own (see `gateInPlace`).
    memory.copy(tanhC, cNext, bytes(state));
    tanhInPlace(tanhC, state);
    for (let b = 0; b < batch; b++) {
      const row = gs + bytes(b * g);
      const dRow = dzs + bytes(b * g);
      const at = bytes(b * units);
      for (let j = 0; j < units; j += 4) {
        const n = units - j;
        const oi = bytes(j);
        const oF = bytes(units + j);
        const og = bytes(2 * units + j);
        const oo = bytes(3 * units + j);
        const o4 = at + bytes(j);
        const i = load4(row + oi, n);
        const f = load4(row + oF, n);
        const cc = load4(row + og, n);
        const o = load4(row + oo, n);
        const tc = load4(tanhC + o4, n);
        const dhv = load4(dh + o4, n);
        const dcv = f32x4.add(
          load4(dc + o4, n),
          f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))),
        );
        store4(dc + o4, f32x4.mul(dcv, f), n);
        const dzi = f32x4.mul(f32x4.mul(dcv, cc), gateGrad4(i, hard));
        const dzf = f32x4.mul(f32x4.mul(dcv, load4(cPrev + o4, n)), gateGrad4(f, hard));
        const dzg = f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(cc, cc)));
        const dzo = f32x4.mul(f32x4.mul(dhv, tc), gateGrad4(o, hard));
        store4(dRow + oi, dzi, n);
        store4(dRow + oF, dzf, n);
        store4(dRow + og, dzg, n);
        store4(dRow + oo, dzo, n);
      }
    }
    memory.fill(dh, 0, bytes(state));
    gemmAccumulate(dzs, g, recurrentT, units, dh, units, batch, g, units);
  }
  gemmTransposedA(xs, inputDim, dz, g, dKernel, g, inputDim, rows, g);
  gemmTransposedA(hs, units, dz, g, dRecurrent, g, units, rows, g);
  columnTotals(dz, dBias, rows, g);
  // dx as one product over all T·B rows, step-major into xs's space (read for the last time
  // above), then to [B, T, D].
  memory.fill(xs, 0, bytes(rows * inputDim));
  gemmAccumulate(dz, g, kernelT, inputDim, xs, inputDim, rows, g, inputDim);
  fromStepMajor(xs, dx, batch, steps, inputDim, goBackwards);
}
