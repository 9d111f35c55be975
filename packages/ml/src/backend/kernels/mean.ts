import { Mean, type MeanAttrs, type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { leadingAxesCount, sumLeadingAxes } from './leading-axes-sum';
import { originalKernelFunc } from './wasm-ops';

/** Mean: over leading axes without the transpose tfjs-backend-wasm makes (see leading-axes-sum). */
export function mean(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: MeanAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const k = leadingAxesCount(x, attrs.axis);
  // tfjs's Mean of an int tensor casts to float first; leave those to the original kernel.
  if (k === 0 || x.dtype !== 'float32')
    return originalKernelFunc(Mean)(args as never) as TensorInfo;
  return sumLeadingAxes(backend, x, k, attrs.keepDims, 1 / util.sizeFromShape(x.shape.slice(0, k)));
}

/** `mean` as the wasm backend's `Mean` kernel. */
export const meanConfig = wasmKernel(Mean, mean);
