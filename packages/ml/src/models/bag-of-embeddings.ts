import * as tf from '@tensorflow/tfjs';
import { head, type ModelArgs, namer, type Symbolic } from './layers-util';
import { replaceTfjsLayerClass, tfjsLayerClass } from './tfjs-classes';

type PoolingArgs = NonNullable<Parameters<typeof tf.layers.globalAveragePooling1d>[0]>;

const TfjsGlobalAveragePooling1D = tfjsLayerClass<tf.layers.Layer, PoolingArgs>(
  'GlobalAveragePooling1D',
);

/**
 * tfjs-layers' GlobalAveragePooling1D, averaging only the steps its input mask keeps (Keras's
 * behaviour; tfjs's own averages every step, padding included). Without a mask it is tfjs's.
 * Registered under tfjs's class name: saved models name the plain layer and load anywhere.
 */
export class GlobalAveragePooling1D extends TfjsGlobalAveragePooling1D {
  static className = 'GlobalAveragePooling1D';

  constructor(args: PoolingArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const mask = kwargs.mask as tf.Tensor | tf.Tensor[] | null | undefined;
    const m = Array.isArray(mask) ? mask[0] : mask;
    if (!m) return super.call(inputs, kwargs) as tf.Tensor;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const weights = tf.expandDims(tf.cast(m, x.dtype), -1);
      const sum = tf.sum(tf.mul(x, weights), 1);
      // An example with no kept step (every token padding) pools to zeros, not NaN.
      const count = tf.maximum(tf.sum(weights, 1), 1);
      return tf.div(sum, count);
    });
  }

  /** The pooled output has no steps left to mask. */
  override computeMask(): tf.Tensor | tf.Tensor[] {
    // tfjs's Layer type says a tensor, but null (no mask) is what its own pooling layers return.
    return null as unknown as tf.Tensor;
  }
}
replaceTfjsLayerClass(GlobalAveragePooling1D);

/** A bag of embeddings' arguments; `inputShape` is `[tokens]` (int32 token ids, 0 = padding). */
export interface BagOfEmbeddingsArgs extends ModelArgs {
  /** Token ids the embedding takes: ids are in `[0, vocabulary)`. */
  vocabulary: number;
  /** Size of each token's embedding. Default 64. */
  embeddingDim?: number;
}

/**
 * fastText's classifier (Joulin et al. 2016, "Bag of Tricks for Efficient Text Classification"):
 * token ids → embedding (padding id 0 masked) → the mean of the text's token embeddings → the
 * head (by default dropout and a softmax). No recurrence: one step per example whatever its length,
 * so it trains in a fraction of an RNN's time and does well on small datasets. Standard tfjs class
 * names (Embedding, GlobalAveragePooling1D, Dense): the saved model loads with plain tfjs, which
 * averages padding too (see `GlobalAveragePooling1D`).
 */
export function buildBagOfEmbeddings(args: BagOfEmbeddingsArgs): tf.LayersModel {
  const { embeddingDim = 64 } = args;
  const name = namer('bag');
  const input = tf.input({ shape: [...args.inputShape], dtype: 'int32', name: name('input') });
  const embedded = tf.layers
    .embedding({
      inputDim: args.vocabulary,
      outputDim: embeddingDim,
      maskZero: true,
      name: name('embedding'),
    })
    .apply(input) as Symbolic;
  const pooled = new GlobalAveragePooling1D({ name: name('mean') }).apply(embedded) as Symbolic;
  return tf.model({
    inputs: input,
    outputs: head(pooled, args, name),
    name: 'bag_of_embeddings',
  });
}
