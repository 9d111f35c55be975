import type * as tf from '@tensorflow/tfjs';
import { callFused, fusable, type RecurrentLayer, soleInput } from './recurrent-sequence';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type LstmArgs = NonNullable<Parameters<typeof tf.layers.lstm>[0]>;

const TfjsLSTM = tfjsLayerClass<RecurrentLayer, LstmArgs>('LSTM');

/**
 * tfjs-layers' LSTM, run on wasm as one fused kernel per layer for the whole sequence, forward
 * and backward (`recurrentSequence`), when the layer is one it covers (see `fusable`: tanh,
 * sigmoid or hard-sigmoid gates, no dropout, mask, initial state or returned state). Anything else,
 * and every other backend, runs tfjs's own per-step code. Registered under tfjs's class name, with
 * tfjs's config and weights, so saved models load in plain tfjs and models loaded here build this
 * class.
 */
export class LSTM extends TfjsLSTM {
  static className = 'LSTM';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    const input = soleInput(inputs);
    if (!fusable(this, input, kwargs)) return super.call(inputs, kwargs);
    return callFused('lstm', this, input);
  }
}
replaceTfjsLayerClass(LSTM);

/** `tf.layers.lstm`, trained as one fused kernel per layer on wasm where `LSTM` covers it. */
export function lstm(args: LstmArgs): LSTM {
  return new LSTM(args);
}
