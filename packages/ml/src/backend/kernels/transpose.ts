import { type TensorInfo, Transpose, type TransposeAttrs, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc } from './wasm-ops';

/**
 * Transpose that shares the input's memory (one more reference, as our Identity does) when the
 * permutation changes nothing: the same shape, axes longer than 1 in the same order. The gradient
 * of every embedding lookup transposes its [vocabulary, dim] table gradient by [0, 1], which
 * tfjs-backend-wasm copies (1.3 MB a step for a 10000 × 32 table). Only for an unchanged shape:
 * tfjs's XNNPACK matmul caches its operator by the right operand's id, not its shape, so a shared
 * id under another shape ([k, 1] as [1, k]) could meet an operator packed for the first. Other
 * permutations run tfjs's kernel.
 */
export function transpose(args: {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: TransposeAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const shape = attrs.perm.map((axis) => x.shape[axis]!);
  const kept = attrs.perm.filter((axis) => x.shape[axis] !== 1);
  const sameOrder = kept.every((axis, i) => i === 0 || kept[i - 1]! < axis);
  if (!sameOrder || !util.arraysEqual(shape, x.shape) || x.dtype === 'string') {
    return originalKernelFunc(Transpose)(args as never) as TensorInfo;
  }
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/** `transpose` as the wasm backend's `Transpose` kernel. */
export const transposeConfig = wasmKernel(Transpose, transpose);
