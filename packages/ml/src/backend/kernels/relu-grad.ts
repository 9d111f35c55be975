import {
  engine,
  type GradConfig,
  getGradient,
  Relu,
  registerGradient,
  type Tensor,
  type TensorInfo,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/** dx = dy where x > 0: one kernel on wasm instead of tfjs's Step, Cast and Multiply. */
export const RELU_GRAD = 'TrainyardReluGrad';

function reluGrad(args: {
  inputs: { dy: TensorInfo; x: TensorInfo };
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, backend } = args;
  const dx = backend.makeOutput(inputs.x.shape, 'float32');
  simdKernels(backend).reluGrad(
    heapOffset(backend, inputs.dy),
    heapOffset(backend, inputs.x),
    heapOffset(backend, dx),
    inputs.x.shape.reduce((a, b) => a * b, 1),
  );
  return dx;
}

/** `reluGrad` as the wasm backend's `RELU_GRAD` kernel. */
export const reluGradConfig = wasmKernel(RELU_GRAD, reluGrad);

/**
 * Replaces the gradient of Relu (gradients are registered for every backend at once): on wasm it
 * runs the kernel above, elsewhere tfjs's own gradient. Idempotent.
 */
export function registerReluGradient(): void {
  const original = getGradient(Relu);
  if (!original || (original as { trainyard?: true }).trainyard) return;
  const config: GradConfig & { trainyard: true } = {
    kernelName: Relu,
    inputsToSave: ['x'],
    trainyard: true,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as Tensor[];
      if (engine().backendName !== 'wasm' || x!.dtype !== 'float32') {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x: x! }) as Tensor };
    },
  };
  registerGradient(config);
}
