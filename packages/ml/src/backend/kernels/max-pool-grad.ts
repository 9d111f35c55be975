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
 * over the windows straight in the wasm heap, each window's pixel offsets computed once for all
 * its channels.
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
  const heapGrads = backend.typedArrayFromHeap(dx) as Float32Array;
  // Worked on in plain copies: element access to typed arrays over the wasm heap (a growable
  // SharedArrayBuffer in the threaded build) is several times slower in V8 than over local memory.
  const x = (backend.typedArrayFromHeap(input) as Float32Array).slice();
  const g = (backend.typedArrayFromHeap(dy) as Float32Array).slice();
  const grads = new Float32Array(heapGrads.length);
  const taps = new Int32Array(filterHeight * filterWidth);
  let gradIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    const batchBase = b * inHeight * inWidth * channels;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      for (let ox = 0; ox < outWidth; ox++, gradIndex += channels) {
        const x0 = ox * strideWidth - padInfo.left;
        // Offsets of the window's pixels inside the input, in TensorFlow's scan order.
        let count = 0;
        for (let r = Math.max(0, -y0); r < filterHeight && y0 + r < inHeight; r++) {
          for (let s = Math.max(0, -x0); s < filterWidth && x0 + s < inWidth; s++) {
            taps[count++] = batchBase + ((y0 + r) * inWidth + x0 + s) * channels;
          }
        }
        for (let c = 0; c < channels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let t = 0; t < count; t++) {
            const v = x[taps[t]! + c]!;
            if (v > best) {
              best = v;
              at = taps[t]! + c;
            }
          }
          if (at >= 0) grads[at]! += g[gradIndex + c]!;
        }
      }
    }
  }
  heapGrads.set(grads);
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelConfig['kernelFunc'],
};
