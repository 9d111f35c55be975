import {
  type TensorInfo,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/**
 * Sums rows of `x` into `numSegments` rows by `segmentIds` (missing from tfjs-backend-wasm; it is the
 * gradient of `gather`, so of every embedding). One pass over x straight in the wasm heap (float32
 * values with int32 ids in our kernels' `segmentSumRows`, others here): each row is read once and
 * added to its segment, which is as little work as this can be; a one-hot matmul would cost
 * numSegments times more. Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const rowSize = util.sizeFromShape(x.shape) / Math.max(rows, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  if (x.dtype === 'float32' && segmentIds.dtype === 'int32') {
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simdKernels(backend).segmentSumRows(at(x), at(segmentIds), at(out), rows, rowSize, numSegments);
    return out;
  }
  // Views are taken after makeOutput: allocating may grow the heap and detach older views.
  const sums = backend.typedArrayFromHeap(out);
  sums.fill(0);
  const values = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let row = 0; row < rows; row++) {
    const id = ids[row]!;
    if (id < 0 || id >= numSegments) continue;
    const from = row * rowSize;
    const to = id * rowSize;
    for (let k = 0; k < rowSize; k++) sums[to + k]! += values[from + k]!;
  }
  return out;
}

/** `unsortedSegmentSum` as the wasm backend's `UnsortedSegmentSum` kernel. */
export const unsortedSegmentSumConfig = wasmKernel(UnsortedSegmentSum, unsortedSegmentSum);
