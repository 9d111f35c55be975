import { Sum, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { leadingAxesCount, sumLeadingAxes } from './leading-axes-sum';
import { originalKernelFunc } from './wasm-ops';

/** Sum: over leading axes without the transpose tfjs-backend-wasm makes (see leading-axes-sum). */
export function sum(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: SumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const k = leadingAxesCount(inputs.x, attrs.axis);
  if (k === 0 || inputs.x.dtype === 'string')
    return originalKernelFunc(Sum)(args as never) as TensorInfo;
  return sumLeadingAxes(backend, inputs.x, k, attrs.keepDims);
}

/** `sum` as the wasm backend's `Sum` kernel. */
export const sumConfig = wasmKernel(Sum, sum);
