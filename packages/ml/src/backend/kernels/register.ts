import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs';

const WASM_KERNELS: KernelConfig[] = [];

let registered = false;

/**
 * Registers on the `wasm` backend the kernels of this folder: gradients tfjs-backend-wasm lacks,
 * and faster versions of ones it has. Idempotent. Must run before the backend starts (or be followed
 * by `tf.setBackend('wasm')`), which is when kernels' `setupFunc`s run.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const config of WASM_KERNELS) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  registered = true;
}
