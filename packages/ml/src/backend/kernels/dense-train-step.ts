import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapOffset, simdKernels } from '../simd';
import type { AdamUpdateAttrs } from './adam-update';
import { wasmKernel } from './kernel-config';

/**
 * A whole training step of a chain of dense layers (softmax output, cross-entropy on class ids,
 * Adam) as one kernel (`assembly/dense-train-step.ts`). Inputs: x [B, D] and labels [B] (float32
 * class ids), then per layer l `w{l}`, `mw{l}`, `vw{l}` and, with a bias, `b{l}`, `mb{l}`, `vb{l}`
 * (the weights and their Adam moments). Outputs: p[b, label] after tfjs's clipping [B], the count
 * of correct rows [1], then per layer the new W, m, v and, with a bias, the new b, m, v.
 */
export const DENSE_TRAIN_STEP = 'TrainyardDenseTrainStep';

/** Adam's settings of this step (`AdamUpdateAttrs`) and the chain's layers. */
export interface DenseTrainStepAttrs extends AdamUpdateAttrs {
  /** Per layer: 0 linear, 1 relu, 2 softmax (the last layer only, and it must be). */
  activations: number[];
  hasBias: boolean[];
}

const FIELDS = 16;

function denseTrainStep(args: {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: DenseTrainStepAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const batch = x.shape[0]!;
  const layers = attrs.activations.length;
  const table = backend.makeOutput([layers * FIELDS], 'int32');
  const probabilities = backend.makeOutput([batch], 'float32');
  const correct = backend.makeOutput([1], 'float32');
  const outs: TensorInfo[] = [probabilities, correct];
  let activations = 0;
  let widest = 0;
  let largest = 0;
  const rows: number[][] = [];
  for (let l = 0; l < layers; l++) {
    const w = inputs[`w${l}`]!;
    const [inDim, outDim] = w.shape as [number, number];
    activations += batch * outDim;
    widest = Math.max(widest, inDim, outDim);
    largest = Math.max(largest, inDim * outDim);
    const made = (t: TensorInfo) => {
      const out = backend.makeOutput(t.shape, 'float32');
      outs.push(out);
      return out;
    };
    const bias = attrs.hasBias[l] ? inputs[`b${l}`]! : undefined;
    const at = (t: TensorInfo | undefined) => (t ? heapOffset(backend, t) : 0);
    const newW = made(w);
    const newMw = made(w);
    const newVw = made(w);
    const newB = bias ? made(bias) : undefined;
    const newMb = bias ? made(bias) : undefined;
    const newVb = bias ? made(bias) : undefined;
    rows.push([
      inDim,
      outDim,
      attrs.activations[l]!,
      bias ? 1 : 0,
      at(w),
      at(bias),
      at(inputs[`mw${l}`]),
      at(inputs[`vw${l}`]),
      at(bias && inputs[`mb${l}`]),
      at(bias && inputs[`vb${l}`]),
      at(newW),
      at(newB),
      at(newMw),
      at(newVw),
      at(newMb),
      at(newVb),
    ]);
  }
  const scratch = backend.makeOutput(
    [activations + 2 * batch * widest + 2 * largest + widest],
    'float32',
  );
  // Views after every allocation: growing the heap detaches older ones.
  (backend.typedArrayFromHeap(table) as Int32Array).set(rows.flat());
  simdKernels(backend).denseTrainStep(
    heapOffset(backend, table),
    layers,
    heapOffset(backend, x),
    heapOffset(backend, inputs.labels!),
    batch,
    heapOffset(backend, probabilities),
    heapOffset(backend, correct),
    heapOffset(backend, scratch),
    -attrs.learningRate,
    attrs.beta1,
    attrs.beta2,
    attrs.epsilon,
    attrs.c1,
    attrs.c2,
  );
  backend.disposeData(table.dataId);
  backend.disposeData(scratch.dataId);
  return outs;
}

/** `denseTrainStep` as the wasm backend's `DENSE_TRAIN_STEP` kernel. */
export const denseTrainStepConfig = wasmKernel(DENSE_TRAIN_STEP, denseTrainStep);
