import { backend_util, type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * How many leading axes `axis` reduces when it is exactly [0, 1, …, k-1] with 0 < k < rank, the
 * shape of every per-channel statistic (batch norm's moments, bias and scale gradients); else 0.
 */
export function leadingAxesCount(x: TensorInfo, axis: number | number[]): number {
  const axes = [...new Set(util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  const k = axes.length;
  return k > 0 && k < x.shape.length && axes.every((a, i) => a === i) ? k : 0;
}

/**
 * Sums x over its first `k` axes, times `scale`. tfjs-backend-wasm reduces only innermost axes, so
 * for these it first transposes the whole tensor; summing rows into one accumulator row in place
 * reads the data once, sequentially. Accumulates in float64, so it is at least as exact as cpu.
 */
export function sumLeadingAxes(
  backend: BackendWasm,
  x: TensorInfo,
  k: number,
  keepDims: boolean,
  scale = 1,
): TensorInfo {
  const kept = x.shape.slice(k);
  const width = util.sizeFromShape(kept);
  const rows = util.sizeFromShape(x.shape.slice(0, k));
  const outShape = keepDims
    ? backend_util.expandShapeToKeepDim(
        kept,
        x.shape.slice(0, k).map((_, i) => i),
      )
    : kept;
  const out = backend.makeOutput(outShape, x.dtype === 'bool' ? 'int32' : x.dtype);
  // Views are taken after makeOutput: allocating may grow the heap and detach older views.
  const values = backend.typedArrayFromHeap(x);
  const sums = backend.typedArrayFromHeap(out);
  const acc = new Float64Array(width);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < width; c++, i++) acc[c]! += values[i]!;
  }
  for (let c = 0; c < width; c++) sums[c] = acc[c]! * scale;
  return out;
}
