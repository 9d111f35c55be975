import {
  BatchMatMul,
  type BatchMatMulAttrs,
  type KernelConfig,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { originalKernelFunc, withOps } from './wasm-ops';

/**
 * Matmul with a transposed operand, which every dense layer's backward pass does (x^T·dy for the
 * weights, dy·W^T for the input). tfjs-backend-wasm sends only untransposed, batch-1 products to
 * XNNPACK and everything else to a naive single-threaded loop; transposing the operand explicitly
 * first (one cheap copy) puts these on XNNPACK too. Batched products are left to tfjs.
 */
export function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const original = originalKernelFunc(BatchMatMul);
  const single = (t: TensorInfo) =>
    t.shape.length >= 2 && util.sizeFromShape(t.shape.slice(0, -2)) === 1;
  if (
    !(attrs.transposeA || attrs.transposeB) ||
    !single(a) ||
    !single(b) ||
    a.dtype !== 'float32'
  ) {
    return original(args as never) as TensorInfo;
  }
  return withOps(backend, (ops) => {
    // The transposed copy is a new tensor, which also keeps tfjs's operator cache (keyed by the
    // right operand's id) from serving weights packed for another shape.
    const upright = (t: TensorInfo, transposed: boolean) => {
      const [rows, cols] = t.shape.slice(-2) as [number, number];
      const matrix = ops.reshape(t, [1, rows, cols]);
      return transposed ? ops.transpose(matrix, [0, 2, 1]) : matrix;
    };
    const out = original({
      inputs: { a: upright(a, attrs.transposeA), b: upright(b, attrs.transposeB) },
      backend,
      attrs: { transposeA: false, transposeB: false },
    } as never) as TensorInfo;
    ops.adopt(out);
    // tfjs returns the broadcast outer dims (all 1 here) before the matrix dims.
    const rank = Math.max(a.shape.length, b.shape.length);
    return ops.reshape(out, [...new Array<number>(rank - 2).fill(1), ...out.shape.slice(-2)]);
  });
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelConfig['kernelFunc'],
};
