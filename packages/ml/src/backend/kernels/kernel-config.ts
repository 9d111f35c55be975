import type { KernelConfig } from '@tensorflow/tfjs';

/**
 * The config that registers `kernelFunc` as the `wasm` backend's kernel `kernelName` (see
 * `registerWasmKernels`, which also keeps the original kernel's `setupFunc`).
 */
export function wasmKernel(
  kernelName: string,
  // `never`: any kernel function fits, whatever inputs and attributes it declares.
  kernelFunc: (args: never) => unknown,
): KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: kernelFunc as unknown as KernelConfig['kernelFunc'],
  };
}
