import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { head, kernelRegularizer, namer, type Symbolic } from './layers-util';

/**
 * Token ids → embedding → stacked LSTM / GRU / simple RNN layers (optionally bidirectional),
 * the last returning its final state → head.
 */
export function buildRnn(
  spec: JobSpec,
  inputShape: number[],
  outputs: number | null,
  vocabulary: number,
): tf.LayersModel {
  const { type, embedding_dim, rnn_units, num_layers, bidirectional } = spec.architecture;
  const name = namer(type);
  const input = tf.input({ shape: inputShape, dtype: 'int32', name: name('input') });
  let x = tf.layers
    .embedding({ inputDim: vocabulary, outputDim: embedding_dim, name: name('embedding') })
    .apply(input) as Symbolic;
  for (let layer = 0; layer < num_layers; layer++) {
    const config = {
      units: rnn_units,
      returnSequences: layer < num_layers - 1,
      kernelRegularizer: kernelRegularizer(spec),
      name: name(type),
    };
    const cell =
      type === 'lstm'
        ? tf.layers.lstm(config)
        : type === 'gru'
          ? tf.layers.gru(config)
          : tf.layers.simpleRNN(config);
    x = (
      bidirectional
        ? tf.layers.bidirectional({ layer: cell as tf.RNN, name: name('bidirectional') })
        : cell
    ).apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: head(x, spec, outputs, name), name: type });
}
