import {
  backend_util,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/**
 * Max-pool gradient: each output's gradient goes to the first largest input of its window, as in
 * TensorFlow and tfjs's cpu backend. XNNPACK has no such operator and tfjs-backend-wasm's C++ loop
 * recomputed every window for every input pixel (~40 ms for a 64×28×28×16 batch); this is one pass
 * over the windows in wasm SIMD, four channels at a time (`assembly/max-pool-grad.ts`).
 */
export function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  backend.typedArrayFromHeap(dx).fill(0);
  simdKernels(backend).maxPoolGrad(
    heapOffset(backend, input),
    heapOffset(backend, dy),
    heapOffset(backend, dx),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return dx;
}

/** `maxPoolGrad` as the wasm backend's `MaxPoolGrad` kernel. */
export const maxPoolGradConfig = wasmKernel(MaxPoolGrad, maxPoolGrad);
