import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/**
 * Batch normalization in training mode as two kernels of our own (tfjs has none): the forward pass
 * returns the output with the batch's mean and variance, the backward pass all three gradients.
 * tfjs-layers otherwise runs moments, FusedBatchNorm and their gradients as ~40 kernels over the
 * activation; these are five passes over it in all (`assembly/batch-norm.ts`).
 */
export const BATCH_NORM_TRAINING = 'TrainyardBatchNormTraining';
/** The gradient kernel of `BATCH_NORM_TRAINING`: returns dx, dgamma and dbeta. */
export const BATCH_NORM_TRAINING_GRAD = 'TrainyardBatchNormTrainingGrad';

export interface BatchNormTrainingAttrs extends NamedAttrMap {
  epsilon: number;
}

/** Per-channel float64 sums and float32 coefficients the SIMD code works in (36 bytes/channel). */
function withScratch<T>(backend: BackendWasm, channels: number, body: (at: number) => T): T {
  const scratch = backend.makeOutput([9 * channels], 'float32');
  try {
    return body(heapOffset(backend, scratch));
  } finally {
    backend.disposeData(scratch.dataId);
  }
}

function batchNormTraining(args: {
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  backend: BackendWasm;
  attrs: BatchNormTrainingAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, gamma, beta } = inputs;
  const channels = x.shape.at(-1)!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  withScratch(backend, channels, (scratch) =>
    simdKernels(backend).batchNormForward(
      heapOffset(backend, x),
      heapOffset(backend, gamma),
      heapOffset(backend, beta),
      heapOffset(backend, y),
      heapOffset(backend, mean),
      heapOffset(backend, variance),
      rows,
      channels,
      attrs.epsilon,
      scratch,
    ),
  );
  return [y, mean, variance];
}

function batchNormTrainingGrad(args: {
  inputs: {
    dy: TensorInfo;
    x: TensorInfo;
    mean: TensorInfo;
    variance: TensorInfo;
    gamma: TensorInfo;
  };
  backend: BackendWasm;
  attrs: BatchNormTrainingAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dy, x, mean, variance, gamma } = inputs;
  const channels = x.shape.at(-1)!;
  const rows = x.shape.reduce((a, b) => a * b, 1) / channels;
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([channels], 'float32');
  const dbeta = backend.makeOutput([channels], 'float32');
  withScratch(backend, channels, (scratch) =>
    simdKernels(backend).batchNormBackward(
      heapOffset(backend, dy),
      heapOffset(backend, x),
      heapOffset(backend, mean),
      heapOffset(backend, variance),
      heapOffset(backend, gamma),
      heapOffset(backend, dx),
      heapOffset(backend, dgamma),
      heapOffset(backend, dbeta),
      rows,
      channels,
      attrs.epsilon,
      scratch,
    ),
  );
  return [dx, dgamma, dbeta];
}

/** The forward and backward kernels, for the wasm backend. */
export const batchNormTrainingConfigs: KernelConfig[] = [
  wasmKernel(BATCH_NORM_TRAINING, batchNormTraining),
  wasmKernel(BATCH_NORM_TRAINING_GRAD, batchNormTrainingGrad),
];
