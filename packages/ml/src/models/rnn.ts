import * as tf from '@tensorflow/tfjs';
import { gru } from './gru';
import { head, kernelRegularizer, type ModelArgs, namer, type Symbolic } from './layers-util';
import { lstm } from './lstm';

/** A recurrent text model's arguments; `inputShape` is `[tokens]` (int32 token ids). */
export interface RnnArgs extends ModelArgs {
  /** Token ids the embedding takes: ids are in `[0, vocabulary)`. */
  vocabulary: number;
  /** The recurrent cell: `'lstm'`, `'gru'` or `'rnn'` (a simple RNN). Default `'lstm'`. */
  cell?: 'lstm' | 'gru' | 'rnn';
  /** Size of each token's embedding. Default 64. */
  embeddingDim?: number;
  /** Units of each recurrent layer. Default 64. */
  units?: number;
  /** Stacked recurrent layers. Default 1. */
  layers?: number;
  /** Each recurrent layer reads both ways (its output is twice `units` wide). Default `false`. */
  bidirectional?: boolean;
}

/**
 * Token ids → embedding → stacked LSTM / GRU / simple RNN layers (optionally bidirectional),
 * the last returning its final state → head.
 */
export function buildRnn(args: RnnArgs): tf.LayersModel {
  const { cell = 'lstm', embeddingDim = 64, units = 64, layers = 1, bidirectional = false } = args;
  const name = namer(cell);
  const input = tf.input({ shape: [...args.inputShape], dtype: 'int32', name: name('input') });
  let x = tf.layers
    .embedding({ inputDim: args.vocabulary, outputDim: embeddingDim, name: name('embedding') })
    .apply(input) as Symbolic;
  for (let layer = 0; layer < layers; layer++) {
    const config = {
      units,
      returnSequences: layer < layers - 1,
      kernelRegularizer: kernelRegularizer(args),
      name: name(cell),
    };
    const recurrent =
      cell === 'lstm' ? lstm(config) : cell === 'gru' ? gru(config) : tf.layers.simpleRNN(config);
    x = (
      bidirectional
        ? tf.layers.bidirectional({ layer: recurrent as tf.RNN, name: name('bidirectional') })
        : recurrent
    ).apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: head(x, args, name), name: cell });
}
