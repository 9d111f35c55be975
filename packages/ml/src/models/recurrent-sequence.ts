import * as tf from '@tensorflow/tfjs';
import { GRU_SEQUENCE, GRU_SEQUENCE_GRAD } from '../backend/kernels/gru';
import {
  LSTM_SEQUENCE,
  LSTM_SEQUENCE_GRAD,
  type RecurrentSequenceAttrs,
} from '../backend/kernels/lstm';

interface LayerVariable {
  read(): tf.Tensor;
}

/** The fields of tfjs-layers' LSTM and GRU (and their cells) that the fused path reads. */
export interface RecurrentLayer extends tf.layers.Layer {
  cell: {
    units: number;
    kernel: LayerVariable;
    recurrentKernel: LayerVariable;
    bias: LayerVariable | null;
    activation: { getClassName(): string };
    recurrentActivation: { getClassName(): string };
    dropout: number;
    recurrentDropout: number;
  };
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
}

const KERNELS = {
  lstm: { forward: LSTM_SEQUENCE, grad: LSTM_SEQUENCE_GRAD, gates: 4 },
  gru: { forward: GRU_SEQUENCE, grad: GRU_SEQUENCE_GRAD, gates: 3 },
} as const;

export type RecurrentKind = keyof typeof KERNELS;

/**
 * An LSTM or GRU over a whole sequence as one kernel on wasm, with one kernel for its gradient: x
 * [batch, steps, inputDim] float32, weights in tfjs-layers' layout (kernel [inputDim, G·units],
 * recurrentKernel [units, G·units], bias [G·units], G = 4 for the LSTM's gates i, f, c, o and 3
 * for the GRU's z, r, h), tanh activation, zero initial state. Returns [batch, steps, units] with
 * `returnSequences`, else the last step's output [batch, units]. Wasm only (callers check).
 */
export function recurrentSequence(
  kind: RecurrentKind,
  x: tf.Tensor,
  kernel: tf.Tensor,
  recurrentKernel: tf.Tensor,
  bias: tf.Tensor,
  attrs: RecurrentSequenceAttrs,
): tf.Tensor {
  const names = KERNELS[kind];
  // The forward kernel's extra outputs are what the gradient kernel reads after dy, x and weights:
  // the LSTM's hs, cs and gates, the GRU's hs, gates and r·h.
  const savedNames = kind === 'lstm' ? ['hs', 'cs', 'gates'] : ['hs', 'gates', 'rh'];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, k, r, b] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const [out, ...states] = tf
      .engine()
      .runKernel(
        names.forward,
        { x: input!, kernel: k!, recurrentKernel: r!, bias: b! },
        attrs,
      ) as tf.Tensor[];
    save([input!, k!, r!, ...states]);
    return {
      value: out!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sk, sr, ...sStates] = saved;
        const inputs: tf.NamedTensorMap = {
          dy: dy as tf.Tensor,
          x: sx!,
          kernel: sk!,
          recurrentKernel: sr!,
        };
        savedNames.forEach((name, i) => {
          inputs[name] = sStates[i]!;
        });
        return tf.engine().runKernel(names.grad, inputs, attrs) as tf.Tensor[];
      },
    };
  });
  return op(x, kernel, recurrentKernel, bias);
}

/**
 * Whether `recurrentSequence` computes exactly what tfjs-layers would for this call: wasm, a
 * float32 [batch, steps, features] input, tanh activation, sigmoid or hard-sigmoid gates, no
 * dropout or recurrent dropout, no mask, no initial state, not stateful, no returned state.
 */
export function fusable(
  layer: RecurrentLayer,
  input: tf.Tensor | undefined,
  kwargs: Record<string, unknown> | undefined,
): input is tf.Tensor {
  const cell = layer.cell;
  const gate = cell.recurrentActivation.getClassName();
  return (
    input !== undefined &&
    tf.getBackend() === 'wasm' &&
    input.dtype === 'float32' &&
    input.rank === 3 &&
    input.shape[0]! > 0 &&
    input.shape[1]! > 0 &&
    kwargs?.mask == null &&
    kwargs?.initialState == null &&
    !layer.stateful &&
    !layer.returnState &&
    cell.dropout === 0 &&
    cell.recurrentDropout === 0 &&
    cell.activation.getClassName() === 'tanh' &&
    (gate === 'sigmoid' || gate === 'hardSigmoid')
  );
}

/** The layer's output through `recurrentSequence` (call only when `fusable`). */
export function callFused(kind: RecurrentKind, layer: RecurrentLayer, input: tf.Tensor): tf.Tensor {
  const cell = layer.cell;
  return tf.tidy(() => {
    const bias = cell.bias
      ? cell.bias.read()
      : tf.zeros([KERNELS[kind].gates * cell.units], 'float32');
    return recurrentSequence(kind, input, cell.kernel.read(), cell.recurrentKernel.read(), bias, {
      hardSigmoid: cell.recurrentActivation.getClassName() === 'hardSigmoid',
      returnSequences: layer.returnSequences,
      goBackwards: layer.goBackwards,
    });
  });
}

/** The one input tensor of a call (`undefined` when states or constants come with it). */
export function soleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  return Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
}
