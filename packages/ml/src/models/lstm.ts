import * as tf from '@tensorflow/tfjs';
import { LSTM_SEQUENCE, LSTM_SEQUENCE_GRAD, type LstmSequenceAttrs } from '../backend/kernels/lstm';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type LstmArgs = NonNullable<Parameters<typeof tf.layers.lstm>[0]>;

interface LayerVariable {
  read(): tf.Tensor;
}

/** The fields of tfjs-layers' LSTM (and its cell) that the fused path reads. */
interface LstmLayer extends tf.layers.Layer {
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

const TfjsLSTM = tfjsLayerClass<LstmLayer, LstmArgs>('LSTM');

/**
 * An LSTM over a whole sequence as one kernel on wasm, with one kernel for its gradient: x
 * [batch, steps, inputDim] float32, weights in tfjs-layers' layout (kernel [inputDim, 4·units],
 * recurrentKernel [units, 4·units], bias [4·units]; gates i, f, c, o), tanh cell activation, zero
 * initial state. Returns [batch, steps, units] with `returnSequences`, else the last step's
 * output [batch, units]. Wasm only (the caller checks the backend).
 */
export function lstmSequence(
  x: tf.Tensor,
  kernel: tf.Tensor,
  recurrentKernel: tf.Tensor,
  bias: tf.Tensor,
  attrs: LstmSequenceAttrs,
): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, k, r, b] = args as tf.Tensor[];
    const save = args[4] as tf.GradSaveFunc;
    const [out, hs, cs, gates] = tf
      .engine()
      .runKernel(
        LSTM_SEQUENCE,
        { x: input!, kernel: k!, recurrentKernel: r!, bias: b! },
        attrs,
      ) as tf.Tensor[];
    save([input!, k!, r!, hs!, cs!, gates!]);
    return {
      value: out!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, sk, sr, shs, scs, sgates] = saved;
        return tf.engine().runKernel(
          LSTM_SEQUENCE_GRAD,
          {
            dy: dy as tf.Tensor,
            x: sx!,
            kernel: sk!,
            recurrentKernel: sr!,
            hs: shs!,
            cs: scs!,
            gates: sgates!,
          },
          attrs,
        ) as tf.Tensor[];
      },
    };
  });
  return op(x, kernel, recurrentKernel, bias);
}

/**
 * tfjs-layers' LSTM, run on wasm as one fused kernel per layer (`lstmSequence`) when the layer is
 * one it covers: tanh activation, sigmoid or hard-sigmoid gates, no dropout or recurrent dropout,
 * no mask, no initial state, not stateful, no returned state. Anything else (and every other
 * backend) runs tfjs's own per-step code. Registered under tfjs's class name, with tfjs's config
 * and weights, so saved models load in plain tfjs and models loaded here build this class.
 */
export class LSTM extends TfjsLSTM {
  static className = 'LSTM';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    if (!input || !this.fusable(input, kwargs)) return super.call(inputs, kwargs);
    const cell = this.cell;
    return tf.tidy(() => {
      const kernel = cell.kernel.read();
      const bias = cell.bias ? cell.bias.read() : tf.zeros([4 * cell.units]);
      return lstmSequence(input, kernel, cell.recurrentKernel.read(), bias, {
        hardSigmoid: cell.recurrentActivation.getClassName() === 'hardSigmoid',
        returnSequences: this.returnSequences,
        goBackwards: this.goBackwards,
      });
    });
  }

  /** Whether `lstmSequence` computes exactly what tfjs-layers would for this call. */
  private fusable(input: tf.Tensor, kwargs: Record<string, unknown>): boolean {
    const cell = this.cell;
    const gate = cell.recurrentActivation.getClassName();
    return (
      tf.getBackend() === 'wasm' &&
      input.dtype === 'float32' &&
      input.rank === 3 &&
      input.shape[0]! > 0 &&
      input.shape[1]! > 0 &&
      kwargs?.mask == null &&
      kwargs?.initialState == null &&
      !this.stateful &&
      !this.returnState &&
      cell.dropout === 0 &&
      cell.recurrentDropout === 0 &&
      cell.activation.getClassName() === 'tanh' &&
      (gate === 'sigmoid' || gate === 'hardSigmoid')
    );
  }
}
replaceTfjsLayerClass(LSTM);

/** `tf.layers.lstm`, trained as one fused kernel per layer on wasm where `LSTM` covers it. */
export function lstm(args: LstmArgs): LSTM {
  return new LSTM(args);
}
