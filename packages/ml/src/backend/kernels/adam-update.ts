import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/**
 * One Adam step for one variable as a single kernel (`assembly/adam.ts`): the new value and both
 * moments, where tfjs's AdamOptimizer runs ~14 kernels per variable per step.
 */
export const ADAM_UPDATE = 'TrainyardAdamUpdate';

export interface AdamUpdateAttrs extends NamedAttrMap {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ, the bias corrections of this step. */
  c1: number;
  c2: number;
}

function adamUpdate(args: {
  inputs: { value: TensorInfo; m: TensorInfo; v: TensorInfo; gradient: TensorInfo };
  backend: BackendWasm;
  attrs: AdamUpdateAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { value, m, v, gradient } = inputs;
  const outs = [value, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const [outValue, outM, outV] = outs as [TensorInfo, TensorInfo, TensorInfo];
  simdKernels(backend).adamUpdate(
    heapOffset(backend, value),
    heapOffset(backend, m),
    heapOffset(backend, v),
    heapOffset(backend, gradient),
    heapOffset(backend, outValue),
    heapOffset(backend, outM),
    heapOffset(backend, outV),
    value.shape.reduce((a, b) => a * b, 1),
    -attrs.learningRate,
    attrs.beta1,
    1 - attrs.beta1,
    attrs.beta2,
    1 - attrs.beta2,
    attrs.epsilon,
    attrs.c1,
    attrs.c2,
  );
  return outs;
}

/** `adamUpdate` as the wasm backend's `ADAM_UPDATE` kernel. */
export const adamUpdateConfig = wasmKernel(ADAM_UPDATE, adamUpdate);
