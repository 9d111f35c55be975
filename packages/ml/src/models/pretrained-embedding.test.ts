import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type ArchitectureArgs, buildModel } from './build';
import { startEmbedding } from './pretrained-embedding';

const VOCAB = 12;
const DIM = 8;
const common = { inputShape: [6], classes: 2, head: { units: [] }, vocabulary: VOCAB };
const architectures: Record<string, ArchitectureArgs> = {
  bag_of_embeddings: { ...common, type: 'bag_of_embeddings', embeddingDim: DIM },
  gru: { ...common, type: 'rnn', cell: 'gru', embeddingDim: DIM, units: 4 },
  attention: { ...common, type: 'attention', embeddingDim: DIM, heads: 2, layers: 1 },
};

/** A matrix whose every number says where it is, so a copy can be told from a fresh init. */
function matrix(): Float32Array {
  return Float32Array.from({ length: VOCAB * DIM }, (_, i) => i / 100);
}

/** One SGD step on every trainable weight, as the training loop takes its variables. */
function step(model: tf.LayersModel): void {
  const x = tf.tensor2d([[0, 3, 4, 5, 6, 7]], [1, 6], 'int32');
  const y = tf.tensor2d([[0, 1]]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor),
    vars,
  );
  tf.train.sgd(1).applyGradients(grads);
  tf.dispose([x, y, grads]);
}

describe('startEmbedding', () => {
  for (const [name, args] of Object.entries(architectures)) {
    it(`${name}: starts the token embedding from the matrix; frozen, it stays so through training and a save`, async () => {
      const model = buildModel(args);
      const layerName = startEmbedding(model, matrix(), DIM, false);
      const tokens = () =>
        Array.from(
          model
            .getLayer(layerName)
            .getWeights()
            .find((w) => w.shape[0] === VOCAB)!
            .dataSync(),
        );
      expect(tokens()).toEqual(Array.from(matrix()));
      const before = model.getWeights().map((w) => Array.from(w.dataSync()));
      step(model);
      expect(tokens()).toEqual(Array.from(matrix()));
      // Everything after the embedding did train.
      const after = model.getWeights().map((w) => Array.from(w.dataSync()));
      expect(after.filter((w, i) => w.join() !== before[i]!.join()).length).toBeGreaterThan(0);

      // Saved and loaded (a checkpoint, a published model): still frozen.
      let artifacts: tf.io.ModelArtifacts | undefined;
      await model.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
      const frozenNames = (m: tf.LayersModel) =>
        m.weights
          .filter((w) => !w.trainable || !m.trainableWeights.includes(w))
          // A second copy in one process gets `_1` after its weights' names.
          .map((w) => w.name.replace(/_\d+$/, ''));
      expect(frozenNames(loaded)).toEqual(frozenNames(model));
      expect(frozenNames(loaded).length).toBe(1);
      model.dispose();
      loaded.dispose();
    });
  }

  it('trainable: the embedding trains from the matrix', () => {
    const model = buildModel(architectures.bag_of_embeddings!);
    startEmbedding(model, matrix(), DIM, true);
    step(model);
    const embedding = Array.from(model.layers[1]!.getWeights()[0]!.dataSync());
    expect(embedding).not.toEqual(Array.from(matrix()));
    model.dispose();
  });
});
