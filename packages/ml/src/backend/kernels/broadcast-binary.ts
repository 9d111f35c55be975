import {
  Add,
  backend_util,
  type KernelConfig,
  Maximum,
  Minimum,
  Multiply,
  RealDiv,
  SquaredDifference,
  Sub,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc, withOps } from './wasm-ops';

/** Below this many output elements the copy costs more than the slow broadcast loop it avoids. */
const MIN_SIZE = 4096;

/**
 * Below this many output elements, float32 operands that are whole, scalar or a trailing broadcast
 * (a bias row) go through one SIMD loop of ours (`assembly/binary.ts`) instead of XNNPACK, whose
 * operator setup cost ~8-16 µs a call: the LSTM's step makes ~1,500 such calls on [32, 128]-sized
 * tensors.
 */
const SMALL_SIZE = 1 << 16;

const SIMD_OPS: Record<string, number> = { [Add]: 0, [Sub]: 1, [Multiply]: 2, [RealDiv]: 3 };

/**
 * How often an operand's values repeat along the flattened output: its size, when its shape (less
 * leading 1s) is the output's trailing dims; else undefined (a broadcast inside the shape).
 */
function period(x: TensorInfo, outShape: number[]): number | undefined {
  const size = util.sizeFromShape(x.shape);
  if (size === 1) return 1;
  const dims = [...x.shape];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  return util.arraysEqual(dims, outShape.slice(outShape.length - dims.length)) ? size : undefined;
}

/** Below this many output elements, a column broadcast ([m, 1] against [m, n]) runs one value at a time in our loop. */
const REPEATED_SIZE = 4096;

/**
 * An operand's period and repeat along the flattened output when its shape (less leading 1s)
 * is the output's dims ending `repeat` values before the end, followed by 1s: [m, 1] against
 * [m, n] repeats each value n times with period m. Undefined for other broadcasts.
 */
function periodAndRepeat(
  x: TensorInfo,
  outShape: number[],
): { period: number; repeat: number } | undefined {
  const dims = [...x.shape];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  let end = outShape.length;
  while (dims.length > 0 && dims.at(-1) === 1 && outShape[end - 1] !== 1) {
    dims.pop();
    end--;
  }
  if (!util.arraysEqual(dims, outShape.slice(end - dims.length, end))) return undefined;
  return { period: util.sizeFromShape(dims), repeat: util.sizeFromShape(outShape.slice(end)) };
}

/** The SIMD loop for a small float32 op it covers, or undefined when it does not apply. */
function smallBinary(
  kernelName: string,
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  outShape: number[],
  size: number,
): TensorInfo | undefined {
  const op = SIMD_OPS[kernelName];
  if (op === undefined || size > SMALL_SIZE || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return undefined;
  }
  if (size === 0) return undefined;
  const aPeriod = period(a, outShape);
  const bPeriod = period(b, outShape);
  if (aPeriod === undefined || bPeriod === undefined) {
    if (size > REPEATED_SIZE) return undefined;
    const ra = periodAndRepeat(a, outShape);
    const rb = periodAndRepeat(b, outShape);
    if (!ra || !rb) return undefined;
    const out = backend.makeOutput(outShape, 'float32');
    simdKernels(backend).binaryRepeated(
      op,
      heapOffset(backend, a),
      ra.period,
      ra.repeat,
      heapOffset(backend, b),
      rb.period,
      rb.repeat,
      heapOffset(backend, out),
      size,
    );
    return out;
  }
  const out = backend.makeOutput(outShape, 'float32');
  simdKernels(backend).binary(
    op,
    heapOffset(backend, a),
    aPeriod,
    heapOffset(backend, b),
    bPeriod,
    heapOffset(backend, out),
    size,
  );
  return out;
}

/**
 * Element-wise binary kernels, made fast when they broadcast. tfjs-backend-wasm runs same-shape
 * (and scalar) operands through XNNPACK on every thread, but any other broadcast, such as the
 * per-channel [C] against [N, H, W, C] that batch norm and biases do all the time, through a
 * per-element index loop 6-10× slower. Spreading the smaller operand to the full shape with our
 * block-copy Tile first, then running the same-shape kernel, is 3-4× faster overall.
 */
function broadcastViaTile(kernelName: string): KernelConfig {
  const run = (args: {
    inputs: { a: TensorInfo; b: TensorInfo };
    backend: BackendWasm;
  }): TensorInfo => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const original = originalKernelFunc(kernelName);
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = util.sizeFromShape(outShape);
    const small = smallBinary(kernelName, backend, a, b, outShape, size);
    if (small) return small;
    const spread = (x: TensorInfo) =>
      util.sizeFromShape(x.shape) > 1 && !util.arraysEqual(x.shape, outShape);
    if (size < MIN_SIZE || a.dtype === 'string' || (!spread(a) && !spread(b))) {
      return original(args as never) as TensorInfo;
    }
    return withOps(backend, (ops) => {
      const full = (x: TensorInfo) => {
        if (!spread(x)) return x;
        const padded = [...new Array(outShape.length - x.shape.length).fill(1), ...x.shape];
        const reshaped = ops.reshape(x, padded);
        return ops.run('Tile', { x: reshaped }, { reps: outShape.map((d, i) => d / padded[i]!) });
      };
      const out = original({
        inputs: { a: full(a), b: full(b) },
        backend,
        attrs: {},
      }) as TensorInfo;
      return ops.adopt(out);
    });
  };
  return wasmKernel(kernelName, run);
}

/** Add, Sub, Multiply, RealDiv, SquaredDifference, Maximum and Minimum, broadcasting via Tile. */
export const broadcastBinaryConfigs: KernelConfig[] = [
  Add,
  Sub,
  Multiply,
  RealDiv,
  SquaredDifference,
  Maximum,
  Minimum,
].map(broadcastViaTile);
