import {
  backend_util,
  GatherV2,
  type GatherV2Attrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc } from './wasm-ops';

/** Below this many elements per slice, a loop beats one `copyWithin` call per slice. */
const SHORT_SLICE = 16;

/**
 * Gather as slice copies inside the wasm heap. tfjs-backend-wasm's C++ kernel computes every
 * element's source from strides, ~3.5 ms to gather 64 rows of 784 floats (a training batch of
 * MNIST digits); copying the 64 rows takes microseconds. Same index checks and error message.
 */
function gatherV2(args: {
  inputs: { x: TensorInfo; indices: TensorInfo };
  backend: BackendWasm;
  attrs: GatherV2Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    return originalKernelFunc(GatherV2)(args as never) as TensorInfo;
  }
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0]!;
  const info = backend_util.segment_util.collectGatherOpShapeInfo(
    x as never,
    indices as never,
    axis,
    attrs.batchDims,
  );
  const { batchSize, outerSize, dimSize, sliceSize, outputShape } = info;
  const ids = backend.typedArrayFromHeap(indices) as Int32Array | Float32Array;
  for (const index of ids) {
    if (index <= dimSize - 1 && index >= 0) continue;
    util.assert(false, () => `GatherV2: the index value ${index} is not in [0, ${dimSize - 1}]`);
  }
  const out = backend.makeOutput(outputShape, x.dtype);
  if (batchSize === 1 && outerSize === 1 && indices.dtype === 'int32') {
    // Rows of x by id (an embedding lookup): one call into our kernels, no view per row.
    const at = (t: TensorInfo) => heapOffset(backend, t);
    simdKernels(backend).gatherRows(at(x), at(indices), at(out), ids.length, sliceSize);
    return out;
  }
  // Views after makeOutput: allocating may grow the heap and detach older ones.
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  const index = backend.typedArrayFromHeap(indices) as Int32Array | Float32Array;
  const perBatch = index.length / batchSize;
  let at = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let o = 0; o < outerSize; o++) {
      const rowBase = (b * outerSize + o) * dimSize;
      for (let i = 0; i < perBatch; i++, at += sliceSize) {
        const from = (rowBase + index[b * perBatch + i]!) * sliceSize;
        if (sliceSize < SHORT_SLICE) {
          for (let k = 0; k < sliceSize; k++) dst[at + k] = src[from + k]!;
        } else {
          dst.set(src.subarray(from, from + sliceSize), at);
        }
      }
    }
  }
  return out;
}

/** `gatherV2` as the wasm backend's `GatherV2` kernel. */
export const gatherV2Config = wasmKernel(GatherV2, gatherV2);
