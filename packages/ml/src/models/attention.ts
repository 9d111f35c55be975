import * as tf from '@tensorflow/tfjs';
import type { JobSpec } from '@trainyard/shared';
import { TokenAndPositionEmbedding, TransformerEncoderBlock } from './attention-layers';
import { head, namer, type Symbolic } from './layers-util';

/**
 * A transformer encoder for text: token + position embeddings, `num_layers` self-attention blocks
 * with `num_heads` heads, mean pooling over positions, head.
 */
export function buildAttention(
  spec: JobSpec,
  inputShape: number[],
  outputs: number | null,
  vocabulary: number,
): tf.LayersModel {
  const { embedding_dim, num_heads, num_layers, max_length } = spec.architecture;
  const name = namer('attention');
  const input = tf.input({ shape: inputShape, dtype: 'int32', name: name('input') });
  let x = new TokenAndPositionEmbedding({
    vocabulary,
    maxLength: max_length,
    dim: embedding_dim,
    name: name('embedding'),
  }).apply(input) as Symbolic;
  for (let i = 0; i < num_layers; i++) {
    x = new TransformerEncoderBlock({
      dim: embedding_dim,
      heads: num_heads,
      ff: embedding_dim * 2,
      rate: spec.regularization.dropout,
      name: name('encoder'),
    }).apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: head(x, spec, outputs, name), name: 'attention' });
}
