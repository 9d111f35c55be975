import * as tf from '@tensorflow/tfjs';
import { TokenAndPositionEmbedding, TransformerEncoderBlock } from './attention-layers';
import { head, type ModelArgs, namer, type Symbolic } from './layers-util';

/** A transformer encoder's arguments; `inputShape` is `[tokens]` (int32 token ids). */
export interface AttentionArgs extends ModelArgs {
  /** Token ids the embedding takes: ids are in `[0, vocabulary)`. */
  vocabulary: number;
  /** Positions the position embedding has (at least the tokens per input). Default `inputShape[0]`. */
  maxLength?: number;
  /** Size of each token's embedding, a multiple of `heads`. Default 64. */
  embeddingDim?: number;
  /** Self-attention heads per block. Default 4. */
  heads?: number;
  /** Encoder blocks. Default 1. */
  layers?: number;
}

/**
 * A transformer encoder for text: token + position embeddings, `layers` self-attention blocks
 * with `heads` heads (feed-forward width twice `embeddingDim`, dropout `dropout` inside each),
 * mean pooling over positions, head.
 */
export function buildAttention(args: AttentionArgs): tf.LayersModel {
  const {
    maxLength = args.inputShape[0]!,
    embeddingDim = 64,
    heads = 4,
    layers = 1,
    dropout = 0,
  } = args;
  const name = namer('attention');
  const input = tf.input({ shape: [...args.inputShape], dtype: 'int32', name: name('input') });
  let x = new TokenAndPositionEmbedding({
    vocabulary: args.vocabulary,
    maxLength,
    dim: embeddingDim,
    name: name('embedding'),
  }).apply(input) as Symbolic;
  for (let i = 0; i < layers; i++) {
    x = new TransformerEncoderBlock({
      dim: embeddingDim,
      heads,
      ff: embeddingDim * 2,
      rate: dropout,
      name: name('encoder'),
    }).apply(x) as Symbolic;
  }
  return tf.model({ inputs: input, outputs: head(x, args, name), name: 'attention' });
}
