import { adamUpdate } from './adam';
import { exp4, gemmAccumulate, gemmTransposedA } from './gate-math';
import { bytes, columnTotals, transpose2d } from './sequence-layout';

/**
 * One whole training step of a chain of dense layers with a softmax output and cross-entropy on
 * class ids, Adam included, in one call: the step a small tabular model takes thousands of times,
 * where tfjs runs ~130 kernels.
 *
 * `table` holds, per layer, 16 int32: inDim, outDim, activation (0 linear, 1 relu, 2 softmax:
 * last layer only), hasBias, then byte offsets of W [in, out], b [out], W's Adam moments m and v,
 * b's m and v, and the six outputs (new W, b, their new m and v in the same order). Offsets of a
 * layer without bias are ignored where they concern b.
 *
 * x [B, inDim of layer 0]; labels [B] float32 class ids. `probabilities` gets p[b, label] after
 * tfjs's clipping to [1e-7, 1 − 1e-7] (the caller takes the log), `correct` the count of rows whose
 * largest probability is the label's (first largest on ties, as argMax). The gradient is tfjs's for
 * a softmax followed by categorical cross-entropy, (p − onehot)/B, exact unless p[label] is clipped.
 * `scratch` holds Σ B·out (activations) + 2·B·max(width) + 2·max(in·out) + max(out) floats.
 */
export function denseTrainStep(
  table: usize,
  layers: i32,
  x: usize,
  labels: usize,
  batch: i32,
  probabilities: usize,
  correct: usize,
  scratch: usize,
  negativeLr: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  c1: f32,
  c2: f32,
): void {
  // Activations of every layer, one after the other in scratch.
  let widest = 0;
  let activations = scratch;
  for (let l = 0; l < layers; l++) {
    widest = max(widest, max(field(table, l, 0), field(table, l, 1)));
  }
  let input = x;
  for (let l = 0; l < layers; l++) {
    const inDim = field(table, l, 0);
    const outDim = field(table, l, 1);
    const act = field(table, l, 2);
    const out = activations;
    if (field(table, l, 3) != 0) {
      for (let b = 0; b < batch; b++) memory.copy(out + bytes(b * outDim), ptr(table, l, 5), bytes(outDim));
    } else {
      memory.fill(out, 0, bytes(batch * outDim));
    }
    gemmAccumulate(input, inDim, ptr(table, l, 4), outDim, out, outDim, batch, inDim, outDim);
    if (act == 1) relu(out, batch * outDim);
    else if (act == 2) softmaxRows(out, batch, outDim);
    input = out;
    activations += bytes(batch * outDim);
  }
  const dz = activations;
  const da = dz + bytes(batch * widest);
  const grads = da + bytes(batch * widest);

  // Loss pieces and dz = (p − onehot)/B at the output.
  const last = layers - 1;
  const classes = field(table, last, 1);
  const p = input;
  let right = 0;
  const inv = <f32>1 / <f32>batch;
  for (let b = 0; b < batch; b++) {
    const label = <i32>load<f32>(labels + bytes(b));
    const row = p + bytes(b * classes);
    let best = 0;
    let bestValue = load<f32>(row);
    for (let c = 0; c < classes; c++) {
      const v = load<f32>(row + bytes(c));
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
      store<f32>(dz + bytes(b * classes + c), (v - (c == label ? <f32>1 : <f32>0)) * inv);
    }
    if (best == label) right++;
    const pl = label >= 0 && label < classes ? load<f32>(row + bytes(label)) : <f32>0;
    store<f32>(probabilities + bytes(b), min(max(pl, <f32>1e-7), <f32>1 - <f32>1e-7));
  }
  store<f32>(correct, <f32>right);

  // Backward through the layers, each one's Adam step as soon as its gradient is known.
  let dzCurrent = dz;
  let daCurrent = da;
  for (let l = last; l >= 0; l--) {
    const inDim = field(table, l, 0);
    const outDim = field(table, l, 1);
    const below = l == 0 ? x : activationOf(table, scratch, batch, l - 1);
    const gW = grads;
    const sizeW = inDim * outDim;
    gemmTransposedA(below, inDim, dzCurrent, outDim, gW, outDim, inDim, batch, outDim);
    if (l > 0) {
      // da = dz·Wᵀ, then through the activation of the layer below.
      memory.fill(daCurrent, 0, bytes(batch * inDim));
      const wT = grads + bytes(sizeW + outDim);
      transpose2d(ptr(table, l, 4), wT, inDim, outDim);
      gemmAccumulate(dzCurrent, outDim, wT, inDim, daCurrent, inDim, batch, outDim, inDim);
      if (field(table, l - 1, 2) == 1) reluGrad(daCurrent, below, batch * inDim);
    }
    adamUpdate(
      ptr(table, l, 4),
      ptr(table, l, 6),
      ptr(table, l, 7),
      gW,
      ptr(table, l, 10),
      ptr(table, l, 12),
      ptr(table, l, 13),
      sizeW,
      negativeLr,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      epsilon,
      c1,
      c2,
    );
    if (field(table, l, 3) != 0) {
      const gb = grads + bytes(sizeW);
      columnTotals(dzCurrent, gb, batch, outDim);
      adamUpdate(
        ptr(table, l, 5),
        ptr(table, l, 8),
        ptr(table, l, 9),
        gb,
        ptr(table, l, 11),
        ptr(table, l, 14),
        ptr(table, l, 15),
        outDim,
        negativeLr,
        beta1,
        1 - beta1,
        beta2,
        1 - beta2,
        epsilon,
        c1,
        c2,
      );
    }
    const swap = dzCurrent;
    dzCurrent = daCurrent;
    daCurrent = swap;
  }
}

@inline
function field(table: usize, layer: i32, index: i32): i32 {
  return load<i32>(table + bytes(layer * 16 + index));
}

@inline
function ptr(table: usize, layer: i32, index: i32): usize {
  return <usize>load<u32>(table + bytes(layer * 16 + index));
}

/** Where layer `layer`'s activations start in scratch. */
function activationOf(table: usize, scratch: usize, batch: i32, layer: i32): usize {
  let at = scratch;
  for (let l = 0; l < layer; l++) at += bytes(batch * field(table, l, 1));
  return at;
}

function relu(x: usize, size: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= size; i += 4) v128.store(x + bytes(i), f32x4.max(v128.load(x + bytes(i)), zero));
  for (; i < size; i++) store<f32>(x + bytes(i), max(load<f32>(x + bytes(i)), <f32>0));
}

/** d *= (y > 0): the ReLU gradient from its output y. */
function reluGrad(d: usize, y: usize, size: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    const o = bytes(i);
    v128.store(d + o, v128.and(v128.load(d + o), f32x4.gt(v128.load(y + o), zero)));
  }
  for (; i < size; i++) {
    const o = bytes(i);
    if (!(load<f32>(y + o) > 0)) store<f32>(d + o, 0);
  }
}

/** Softmax of each row in place (the row's maximum subtracted first). */
function softmaxRows(x: usize, rows: i32, width: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + bytes(r * width);
    let top = load<f32>(row);
    for (let c = 1; c < width; c++) top = max(top, load<f32>(row + bytes(c)));
    let sum: f32 = 0;
    for (let c = 0; c < width; c++) {
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(row + bytes(c)) - top)), 0);
      store<f32>(row + bytes(c), e);
      sum += e;
    }
    const inv = <f32>1 / sum;
    for (let c = 0; c < width; c++) store<f32>(row + bytes(c), load<f32>(row + bytes(c)) * inv);
  }
}
