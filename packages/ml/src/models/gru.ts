import type * as tf from '@tensorflow/tfjs';
import { callFused, fusable, type RecurrentLayer, soleInput } from './recurrent-sequence';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type GruArgs = NonNullable<Parameters<typeof tf.layers.gru>[0]>;

const TfjsGRU = tfjsLayerClass<RecurrentLayer, GruArgs>('GRU');

/**
 * tfjs-layers' GRU (reset before the product, tfjs's only variant), run on wasm as one fused
 * kernel per layer for the whole sequence, forward and backward (`recurrentSequence`), when the
 * layer is one it covers (see `fusable`: tanh, sigmoid or hard-sigmoid gates, no dropout, mask,
 * initial state or returned state). Anything else, and every other backend, runs tfjs's own
 * per-step code. Registered under tfjs's class name, with tfjs's config and weights, so saved
 * models load in plain tfjs and models loaded here build this class.
 */
export class GRU extends TfjsGRU {
  static className = 'GRU';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) {
    const input = soleInput(inputs);
    if (!fusable(this, input, kwargs)) return super.call(inputs, kwargs);
    return callFused('gru', this, input);
  }
}
replaceTfjsLayerClass(GRU);

/** `tf.layers.gru`, trained as one fused kernel per layer on wasm where `GRU` covers it. */
export function gru(args: GruArgs): GRU {
  return new GRU(args);
}
