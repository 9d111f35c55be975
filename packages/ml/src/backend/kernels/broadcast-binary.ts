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
import { originalKernelFunc, withOps } from './wasm-ops';

/** Below this many output elements the copy costs more than the slow broadcast loop it avoids. */
const MIN_SIZE = 4096;

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
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: run as unknown as KernelConfig['kernelFunc'],
  };
}

export const broadcastBinaryConfigs: KernelConfig[] = [
  Add,
  Sub,
  Multiply,
  RealDiv,
  SquaredDifference,
  Maximum,
  Minimum,
].map(broadcastViaTile);
