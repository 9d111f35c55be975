import {
  backend_util,
  type KernelConfig,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Max-pool gradient: each output's gradient goes to the first largest input of its window, as in
 * TensorFlow and tfjs's cpu backend. XNNPACK has no such operator and tfjs-backend-wasm's C++ loop
 * recomputed every window for every input pixel (~40 ms for a 64×28×28×16 batch). This is one pass
 * over the windows, channels innermost so every read is sequential, straight in the wasm heap.
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
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth, padInfo } = info;
  const dx = backend.makeOutput(input.shape, 'float32');
  // Views are taken after makeOutput: allocating may grow the heap and detach older views.
  const grads = backend.typedArrayFromHeap(dx) as Float32Array;
  grads.fill(0);
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const best = new Float32Array(channels);
  const at = new Int32Array(channels);
  let gradIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padInfo.left;
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let r = Math.max(0, -y0); r < filterHeight && y0 + r < inHeight; r++) {
          for (let s = Math.max(0, -x0); s < filterWidth && x0 + s < inWidth; s++) {
            const base = batchBase + ((y0 + r) * inWidth + x0 + s) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                at[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++, gradIndex++) {
          if (at[c]! >= 0) grads[at[c]!]! += g[gradIndex]!;
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
