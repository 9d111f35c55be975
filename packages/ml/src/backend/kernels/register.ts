import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { rememberOriginal } from './wasm-ops';

/** Kernels tfjs-backend-wasm lacks, and faster versions of ones it has (those replace its own). */
export const WASM_KERNELS: readonly KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
];

let registered = false;

/**
 * Registers on the `wasm` backend the kernels of this folder: gradients tfjs-backend-wasm lacks,
 * and faster versions of ones it has. Idempotent. Must run before the backend starts (or be followed
 * by `tf.setBackend('wasm')`), which is when kernels' `setupFunc`s run.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  for (const config of WASM_KERNELS) {
    if (getKernel(config.kernelName, 'wasm')) {
      rememberOriginal(config.kernelName);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
  registered = true;
}
