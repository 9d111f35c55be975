import { backend_util, type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';

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
 * for these it first transposes the whole tensor (~3 ms for a 64×28×28×16 batch). Seen as a
 * [rows, width] matrix, these are column sums: one SIMD pass (`assembly/column-sums.ts`; an
 * XNNPACK average pool before, ~30 µs a call even for a dense layer's 64-wide bias gradient).
 * Integer tensors, rare here, are summed in a plain loop.
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
  if (x.dtype === 'float32') {
    const out = backend.makeOutput(outShape, 'float32');
    const scratch = backend.makeOutput([3 * width], 'float32');
    simdKernels(backend).columnSums(
      heapOffset(backend, x),
      heapOffset(backend, out),
      rows,
      width,
      scale,
      heapOffset(backend, scratch),
    );
    backend.disposeData(scratch.dataId);
    return out;
  }
  const out = backend.makeOutput(outShape, 'int32');
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
