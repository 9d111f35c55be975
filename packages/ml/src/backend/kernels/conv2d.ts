import { backend_util, Conv2D, type Conv2DAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { directConv2d } from './conv2d-direct';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc } from './wasm-ops';

/**
 * The forward NHWC convolution: stride-1 ones with a multiple of 8 output channels on our direct
 * kernel (`conv2d-direct.ts`) when it is chosen, everything else on tfjs-backend-wasm's XNNPACK.
 */
function conv2d(args: {
  inputs: { x: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter } = inputs;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  return (
    directConv2d(backend, x, filter, info) ??
    (originalKernelFunc(Conv2D)(args as never) as TensorInfo)
  );
}

/** `conv2d` as the wasm backend's `Conv2D` kernel. */
export const conv2dConfig = wasmKernel(Conv2D, conv2d);
