import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { withOps } from './wasm-ops';

/**
 * The filter gradient of an NHWC convolution, missing from tfjs-backend-wasm, computed as one
 * forward convolution on XNNPACK with the roles of batch and channels swapped:
 *
 *   dW[r, s, ci, co] = Σ_{n,y,x} x[n, y·sh + r - pt, x·sw + s - pl, ci] · dy[n, y, x, co]
 *
 * is a convolution of x laid out as [ci, H, W, n] (batch ci, channels n) with dy laid out as a
 * filter [Ho, Wo, n, co], where the forward stride becomes the dilation and the output is
 * [ci, kh, kw, co]. Two transposes and one GEMM-backed convolution, instead of a loop per offset.
 */
export function conv2dBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error(`wasm Conv2DBackpropFilter supports only NHWC, got ${dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  if (info.inChannels <= NARROW) return narrowFilterGradient(backend, x, dy, info);
  return filterGradient(backend, x, dy, info);
}

/**
 * Up to this many input channels, the convolution below would be a GEMM with kh·kw·ci rows (9 for
 * a 3×3 filter on grey images) that XNNPACK runs at a fraction of its speed; a direct SIMD loop
 * (`assembly/conv2d-filter-grad.ts`) is ~4× faster there.
 */
const NARROW = 4;

function narrowFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const dw = backend.makeOutput(
    [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels],
    'float32',
  );
  simdKernels(backend).conv2dFilterGradNarrow(
    heapOffset(backend, x),
    heapOffset(backend, dy),
    heapOffset(backend, dw),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return dw;
}

/** The convolution trick above, for any strides, dilations and padding in `info`. */
export function filterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const [, inHeight, inWidth, inChannels] = x.shape as number[];
  const [, outHeight, outWidth, outChannels] = dy.shape as number[];
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  // Bottom/right padding that makes the output exactly kh × kw. Negative means the forward pass
  // never read the last rows: pad nothing and cut the extra outputs instead.
  const bottom = (kh - 1) * dh + (outHeight! - 1) * sh + 1 - inHeight! - top;
  const right = (kw - 1) * dw + (outWidth! - 1) * sw + 1 - inWidth! - left;
  return withOps(backend, (ops) => {
    const xt = ops.transpose(x, [3, 1, 2, 0]);
    const dyt = ops.transpose(dy, [1, 2, 0, 3]);
    const conv = ops.conv2d(
      xt,
      dyt,
      [dh, dw],
      [sh, sw],
      [top, Math.max(0, bottom), left, Math.max(0, right)],
    );
    const cut = ops.head(conv, [inChannels!, kh, kw, outChannels!]);
    return ops.transpose(cut, [1, 2, 0, 3]);
  });
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
};
