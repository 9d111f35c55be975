import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  BatchMatMul,
  type BatchMatMulAttrs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs';
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

/**
 * A dense layer's forward product (`_FusedMatMul`: a·b + bias, then an activation). Small,
 * unbatched float32 products with no activation (or a linear one; softmax is a layer of its own)
 * and a bias row or none run as `smallMatMul` plus our bias-row add, for the reason given at
 * `SMALL_PRODUCT`; the others run tfjs's kernel.
 */
function fusedMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: _FusedMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = inputs;
  const single = (t: TensorInfo) =>
    t.shape.length >= 2 && util.sizeFromShape(t.shape.slice(0, -2)) === 1;
  const [m, k] = a.shape.length >= 2 ? matrixShape(a, attrs.transposeA) : [0, 0];
  const [, n] = b.shape.length >= 2 ? matrixShape(b, attrs.transposeB) : [0, 0];
  const biasRow =
    !bias ||
    (bias.dtype === 'float32' &&
      util.sizeFromShape(bias.shape) === n &&
      (bias.shape.at(-1) === n || n === 1));
  if (
    !single(a) ||
    !single(b) ||
    a.dtype !== 'float32' ||
    b.dtype !== 'float32' ||
    m * k * n > SMALL_PRODUCT ||
    m * n === 0 ||
    (attrs.activation !== undefined && attrs.activation !== 'linear') ||
    preluActivationWeights ||
    !biasRow
  ) {
    return originalKernelFunc(_FusedMatMul)(args as never) as TensorInfo;
  }
  const out = smallMatMul(backend, a, b, attrs, m, k, n);
  if (bias) {
    const at = heapOffset(backend, out);
    simdKernels(backend).binary(0, at, m * n, heapOffset(backend, bias), n, at, m * n);
  }
  return out;
}

/** `fusedMatMul` as the wasm backend's `_FusedMatMul` kernel. */
export const fusedMatMulConfig = wasmKernel(_FusedMatMul, fusedMatMul);

/** `batchMatMul` as the wasm backend's `BatchMatMul` kernel. */
export const batchMatMulConfig = wasmKernel(BatchMatMul, batchMatMul);
