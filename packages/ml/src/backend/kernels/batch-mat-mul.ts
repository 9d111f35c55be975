import { BatchMatMul, type BatchMatMulAttrs, type TensorInfo, util } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc, withOps } from './wasm-ops';

/**
 * Matmul with a transposed operand, which every dense layer's backward pass does (x^T·dy for the
 * weights, dy·W^T for the input). tfjs-backend-wasm sends only untransposed, batch-1 products to
 * XNNPACK and everything else to a naive single-threaded loop; transposing the operand explicitly
 * first (one cheap copy) puts these on XNNPACK too. Batched products are left to tfjs.
 */
function batchMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const original = originalKernelFunc(BatchMatMul);
  const single = (t: TensorInfo) =>
    t.shape.length >= 2 && util.sizeFromShape(t.shape.slice(0, -2)) === 1;
  if (single(a) && single(b) && a.dtype === 'float32') {
    const [m, k] = matrixShape(a, attrs.transposeA);
    const [, n] = matrixShape(b, attrs.transposeB);
    if (m * k * n <= SMALL_PRODUCT) return smallMatMul(backend, a, b, attrs, m, k, n);
  }
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

/**
 * Up to this many multiply-adds, a product runs as a plain SIMD loop (`assembly/matmul.ts`):
 * XNNPACK creates and packs an operator for each call (its right operand is a new tensor every
 * training step), ~60 µs before any arithmetic, which dominated the MLP's and the LSTM's steps.
 */
const SMALL_PRODUCT = 1 << 18;

/** [rows, columns] of a (maybe transposed) matrix operand. */
function matrixShape(t: TensorInfo, transposed: boolean): [number, number] {
  const [r, c] = t.shape.slice(-2) as [number, number];
  return transposed ? [c, r] : [r, c];
}

function smallMatMul(
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  attrs: BatchMatMulAttrs,
  m: number,
  k: number,
  n: number,
): TensorInfo {
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = backend.makeOutput([...new Array<number>(rank - 2).fill(1), m, n], 'float32');
  simdKernels(backend).matmul(
    heapOffset(backend, a),
    heapOffset(backend, b),
    heapOffset(backend, out),
    m,
    k,
    n,
    attrs.transposeA ? 1 : 0,
    attrs.transposeB ? 1 : 0,
  );
  return out;
}

/** `batchMatMul` as the wasm backend's `BatchMatMul` kernel. */
export const batchMatMulConfig = wasmKernel(BatchMatMul, batchMatMul);
