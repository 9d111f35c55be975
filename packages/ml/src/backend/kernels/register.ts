import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs';
import { adamUpdateConfig } from './adam-update';
import { batchMatMulConfig, fusedMatMulConfig } from './batch-mat-mul';
import { batchNormTrainingConfigs } from './batch-norm-training';
import { broadcastBinaryConfigs } from './broadcast-binary';
import { conv2dConfig } from './conv2d';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input';
import { denseTrainStepConfig } from './dense-train-step';
import { depthwiseConv2dBackpropFilterConfig } from './depthwise-conv2d-backprop-filter';
import { depthwiseConv2dBackpropInputConfig } from './depthwise-conv2d-backprop-input';
import { dropoutMaskConfig } from './dropout-mask';
import { fusedBatchNormConfig } from './fused-batch-norm';
import { gatherV2Config } from './gather';
import { gruSequenceConfig, gruSequenceGradConfig } from './gru';
import { identityConfig } from './identity';
import { lstmSequenceConfig, lstmSequenceGradConfig } from './lstm';
import { maxPoolGradConfig } from './max-pool-grad';
import { meanConfig } from './mean';
import { registerReluGradient, reluGradConfig } from './relu-grad';
import { sequentialTrainStepConfig } from './sequential-train-step';
import { sumConfig } from './sum';
import { tileConfig } from './tile';
import { transposeConfig } from './transpose';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { rememberOriginal } from './wasm-ops';

/**
 * Kernels tfjs-backend-wasm lacks, faster versions of ones it has (those replace its own), and
 * kernels of our own (batch norm in training mode, the ReLU gradient, the Adam step, dropout masks,
 * recurrent layers, whole training steps of dense chains and of sequential CNNs).
 */
const WASM_KERNELS: readonly KernelConfig[] = [
  conv2dConfig,
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  depthwiseConv2dBackpropFilterConfig,
  depthwiseConv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
  tileConfig,
  maxPoolGradConfig,
  sumConfig,
  meanConfig,
  ...broadcastBinaryConfigs,
  identityConfig,
  transposeConfig,
  fusedBatchNormConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  ...batchNormTrainingConfigs,
  reluGradConfig,
  adamUpdateConfig,
  gatherV2Config,
  dropoutMaskConfig,
  lstmSequenceConfig,
  lstmSequenceGradConfig,
  gruSequenceConfig,
  gruSequenceGradConfig,
  denseTrainStepConfig,
  sequentialTrainStepConfig,
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
    const original = getKernel(config.kernelName, 'wasm');
    if (original) {
      rememberOriginal(config.kernelName);
      unregisterKernel(config.kernelName, 'wasm');
    }
    // Ours falls back to the original for cases it does not cover; the original binds its wasm
    // function in its setupFunc, which must therefore still run.
    registerKernel(original?.setupFunc ? { ...config, setupFunc: original.setupFunc } : config);
  }
  registerReluGradient();
  registered = true;
}
