import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';
import type { RecurrentSequenceAttrs } from './lstm';

/**
 * A whole GRU layer's sequence as one kernel (`assembly/gru.ts`), forward and backward, where
 * tfjs-layers runs ~20 kernels per time step and as many again for the gradient. Inputs float32:
 * x [B, T, D], kernel [D, 3U], recurrentKernel [U, 3U], bias [3U] (tfjs-layers' layout, gates z, r,
 * h). Outputs: the layer's output ([B, T, U] with `returnSequences`, else [B, U]) and, for the
 * gradient, the step-major states hs [T + 1, B, U], gate activations [T, B, 3U] and r·h_{t−1}
 * [T, B, U].
 */
export const GRU_SEQUENCE = 'TrainyardGruSequence';

/** Gradient of `GRU_SEQUENCE`: inputs dy, x, kernel, recurrentKernel, hs, gates, rh → dx, dKernel, dRecurrentKernel, dBias. */
export const GRU_SEQUENCE_GRAD = 'TrainyardGruSequenceGrad';

const flag = (b: boolean) => (b ? 1 : 0);

function gruSequence(args: {
  inputs: { x: TensorInfo; kernel: TensorInfo; recurrentKernel: TensorInfo; bias: TensorInfo };
  backend: BackendWasm;
  attrs: RecurrentSequenceAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, kernel, recurrentKernel, bias } = inputs;
  const [batch, steps, inputDim] = x.shape as [number, number, number];
  const units = recurrentKernel.shape[0]!;
  const out = backend.makeOutput(
    attrs.returnSequences ? [batch, steps, units] : [batch, units],
    'float32',
  );
  const hs = backend.makeOutput([steps + 1, batch, units], 'float32');
  const gates = backend.makeOutput([steps, batch, 3 * units], 'float32');
  const rh = backend.makeOutput([steps, batch, units], 'float32');
  const xs = backend.makeOutput([steps, batch, inputDim], 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  simdKernels(backend).gruForward(
    at(x),
    at(kernel),
    at(recurrentKernel),
    at(bias),
    at(out),
    at(hs),
    at(gates),
    at(rh),
    at(xs),
    batch,
    steps,
    inputDim,
    units,
    flag(attrs.hardSigmoid),
    flag(attrs.returnSequences),
    flag(attrs.goBackwards),
  );
  backend.disposeData(xs.dataId);
  return [out, hs, gates, rh];
}

function gruSequenceGrad(args: {
  inputs: {
    dy: TensorInfo;
    x: TensorInfo;
    kernel: TensorInfo;
    recurrentKernel: TensorInfo;
    hs: TensorInfo;
    gates: TensorInfo;
    rh: TensorInfo;
  };
  backend: BackendWasm;
  attrs: RecurrentSequenceAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dy, x, kernel, recurrentKernel, hs, gates, rh } = inputs;
  const [batch, steps, inputDim] = x.shape as [number, number, number];
  const units = recurrentKernel.shape[0]!;
  const g = 3 * units;
  const dx = backend.makeOutput(x.shape, 'float32');
  const dKernel = backend.makeOutput(kernel.shape, 'float32');
  const dRecurrent = backend.makeOutput(recurrentKernel.shape, 'float32');
  const dBias = backend.makeOutput([g], 'float32');
  const scratchFloats = g * (steps * batch + inputDim + units) + steps * batch * inputDim;
  const scratch = backend.makeOutput([scratchFloats + 3 * batch * units], 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  simdKernels(backend).gruBackward(
    at(dy),
    at(x),
    at(kernel),
    at(recurrentKernel),
    at(hs),
    at(gates),
    at(rh),
    at(dx),
    at(dKernel),
    at(dRecurrent),
    at(dBias),
    at(scratch),
    batch,
    steps,
    inputDim,
    units,
    flag(attrs.hardSigmoid),
    flag(attrs.returnSequences),
    flag(attrs.goBackwards),
  );
  backend.disposeData(scratch.dataId);
  return [dx, dKernel, dRecurrent, dBias];
}

/** `gruSequence` as the wasm backend's `GRU_SEQUENCE` kernel. */
export const gruSequenceConfig = wasmKernel(GRU_SEQUENCE, gruSequence);
/** `gruSequenceGrad` as the wasm backend's `GRU_SEQUENCE_GRAD` kernel. */
export const gruSequenceGradConfig = wasmKernel(GRU_SEQUENCE_GRAD, gruSequenceGrad);
