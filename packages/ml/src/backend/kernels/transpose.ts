import { type TensorInfo, Transpose, type TransposeAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc } from './wasm-ops';

/**
 * Transpose that shares the input's memory (one more reference, as our Identity does) when the
 * permutation keeps the order of the axes longer than 1, so the values lie in the same order: the
 * gradient of every embedding lookup transposes its [vocabulary, dim] table gradient by [0, 1],
 * which tfjs-backend-wasm copies (1.3 MB a step for a 10000 × 32 table). Other permutations run
 * tfjs's kernel.
 */
export function transpose(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: TransposeAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const kept = attrs.perm.filter((axis) => x.shape[axis] !== 1);
  const sameOrder = kept.every((axis, i) => i === 0 || kept[i - 1]! < axis);
  if (!sameOrder || x.dtype === 'string') {
    return originalKernelFunc(Transpose)(args as never) as TensorInfo;
  }
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: attrs.perm.map((axis) => x.shape[axis]!), dtype: x.dtype };
}

/** `transpose` as the wasm backend's `Transpose` kernel. */
export const transposeConfig = wasmKernel(Transpose, transpose);
