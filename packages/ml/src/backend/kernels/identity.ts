import { Identity, type TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmKernel } from './kernel-config';
import { originalKernelFunc } from './wasm-ops';

/**
 * Identity shares the input's memory (one more reference), as the cpu backend and the wasm Reshape
 * already do. tfjs-backend-wasm's copies it: tfjs-layers and the optimizers call identity ~90
 * times a training step, a full copy of an activation each time for the big ones. Tensors are
 * immutable, so sharing is safe.
 */
export function identity(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  if (x.dtype === 'string') return originalKernelFunc(Identity)(args as never) as TensorInfo;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** `identity` as the wasm backend's `Identity` kernel. */
export const identityConfig = wasmKernel(Identity, identity);
