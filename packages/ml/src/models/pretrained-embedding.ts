import * as tf from '@tensorflow/tfjs';
import { ModelConfigError } from '../errors';
import { TokenAndPositionEmbedding } from './attention-layers';

/**
 * Starts a text model's token embedding from `matrix` (`rows × dimensions`, row-major: one row
 * per token id, as `loadVocabularyVectors` builds it) and freezes it unless `trainable`. The
 * embedding is the model's first `Embedding` layer (bag_of_embeddings, rnn/lstm/gru) or its
 * `TokenAndPositionEmbedding` (attention: only the token half; the positions still train). The
 * frozen state is in the layer's config, so a checkpoint resumes with it. Returns the layer's name.
 * Throws `ModelConfigError` when the model has no token embedding, and tfjs's error when the
 * matrix's shape is not the layer's.
 */
export function startEmbedding(
  model: tf.LayersModel,
  matrix: Float32Array,
  dimensions: number,
  trainable: boolean,
): string {
  const rows = matrix.length / dimensions;
  const layer = model.layers.find(
    (l) => l.getClassName() === 'Embedding' || l instanceof TokenAndPositionEmbedding,
  );
  if (!layer)
    throw new ModelConfigError(
      `model ${model.name} has no token embedding to start from word vectors`,
    );
  const weights = tf.tensor2d(matrix, [rows, dimensions]);
  try {
    if (layer instanceof TokenAndPositionEmbedding) layer.setTokens(weights, trainable);
    else {
      layer.setWeights([weights]);
      layer.trainable = trainable;
    }
  } finally {
    weights.dispose();
  }
  return layer.name;
}
