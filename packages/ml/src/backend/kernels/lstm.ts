import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import { wasmKernel } from './kernel-config';

/**
 * A whole LSTM layer's sequence as one kernel (`assembly/lstm.ts`), forward and backward, where
 * tfjs-layers runs ~15 kernels per time step (matmuls, split, activations, products) and as many
 * again for the gradient. Inputs float32: x [B, T, D], kernel [D, 4U], recurrentKernel [U, 4U],
 * bias [4U] (tfjs-layers' layout, gates i, f, c, o). Outputs: the layer's output ([B, T, U] with
 * `returnSequences`, else [B, U]) and, for the gradient, the step-major states hs and cs
 * [T + 1, B, U] and gate activations [T, B, 4U].
 */
export const LSTM_SEQUENCE = 'TrainyardLstmSequence';

/** Gradient of `LSTM_SEQUENCE`: inputs dy, x, kernel, recurrentKernel, hs, cs, gates → dx, dKernel, dRecurrentKernel, dBias. */
export const LSTM_SEQUENCE_GRAD = 'TrainyardLstmSequenceGrad';

export interface RecurrentSequenceAttrs extends NamedAttrMap {
  /** Gates through tfjs's hard sigmoid (its default) rather than the sigmoid. */
  hardSigmoid: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
}

const flag = (b: boolean) => (b ? 1 : 0);

function lstmSequence(args: {
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
  const cs = backend.makeOutput([steps + 1, batch, units], 'float32');
  const gates = backend.makeOutput([steps, batch, 4 * units], 'float32');
  const xs = backend.makeOutput([steps, batch, inputDim], 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  simdKernels(backend).lstmForward(
    at(x),
    at(kernel),
    at(recurrentKernel),
    at(bias),
    at(out),
    at(hs),
    at(cs),
    at(gates),
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
  return [out, hs, cs, gates];
}

function lstmSequenceGrad(args: {
  inputs: {
    dy: TensorInfo;
    x: TensorInfo;
    kernel: TensorInfo;
    recurrentKernel: TensorInfo;
    hs: TensorInfo;
    cs: TensorInfo;
    gates: TensorInfo;
  };
  backend: BackendWasm;
  attrs: RecurrentSequenceAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dy, x, kernel, recurrentKernel, hs, cs, gates } = inputs;
  const [batch, steps, inputDim] = x.shape as [number, number, number];
  const units = recurrentKernel.shape[0]!;
  const g = 4 * units;
  const dx = backend.makeOutput(x.shape, 'float32');
  const dKernel = backend.makeOutput(kernel.shape, 'float32');
  const dRecurrent = backend.makeOutput(recurrentKernel.shape, 'float32');
  const dBias = backend.makeOutput([g], 'float32');
  const scratchFloats = g * (steps * batch + inputDim + units) + steps * batch * inputDim;
  const scratch = backend.makeOutput([scratchFloats + 3 * batch * units], 'float32');
  const at = (t: TensorInfo) => heapOffset(backend, t);
  simdKernels(backend).lstmBackward(
    at(dy),
    at(x),
    at(kernel),
    at(recurrentKernel),
    at(hs),
    at(cs),
    at(gates),
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

/** `lstmSequence` as the wasm backend's `LSTM_SEQUENCE` kernel. */
export const lstmSequenceConfig = wasmKernel(LSTM_SEQUENCE, lstmSequence);
/** `lstmSequenceGrad` as the wasm backend's `LSTM_SEQUENCE_GRAD` kernel. */
export const lstmSequenceGradConfig = wasmKernel(LSTM_SEQUENCE_GRAD, lstmSequenceGrad);
