import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { seeded, useWasm } from '../backend/kernels/test-support';
import { TransformerEncoderBlock } from './attention-layers';
import { batchNormalization } from './batch-norm';
import { dropout } from './dropout';
import './frozen';

beforeAll(useWasm);

/** A batch whose statistics are far from the layer's moving ones (mean 0, variance 1). */
const batch = () => seeded([8, 5, 5, 12], 7).mul(3).add(4);

function bn() {
  const layer = batchNormalization({
    momentum: 0.9,
    movingMeanInitializer: tf.initializers.constant({ value: 0.5 }),
    movingVarianceInitializer: tf.initializers.constant({ value: 2 }),
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 1 }),
    betaInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
  });
  layer.build([8, 5, 5, 12]);
  return layer;
}

/** max |a − b| */
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

describe('a frozen BatchNormalization (trainable false) runs in inference mode in training steps', () => {
  for (const backend of ['wasm', 'cpu']) {
    it(`on ${backend}: its training-step output is its inference output, and its moving statistics stay`, async () => {
      await tf.setBackend(backend);
      const x = batch();
      const frozen = bn();
      frozen.trainable = false;
      const moving = frozen
        .getWeights()
        .slice(2)
        .map((w) => w.clone());
      const inference = frozen.apply(x, { training: false }) as tf.Tensor;
      // Inside a gradient tape, as the training loop calls it.
      const xv = tf.variable(x);
      let training!: tf.Tensor;
      tf.variableGrads(() => {
        training = tf.keep(frozen.apply(xv, { training: true }) as tf.Tensor);
        return training.sum() as tf.Scalar;
      }, [xv]);
      expect(maxDiff(training, inference)).toBe(0);
      const after = frozen.getWeights().slice(2);
      expect(maxDiff(after[0]!, moving[0]!)).toBe(0);
      expect(maxDiff(after[1]!, moving[1]!)).toBe(0);

      // The same layer trainable normalizes by the batch and moves its statistics.
      const trainable = bn();
      const trained = trainable.apply(x, { training: true }) as tf.Tensor;
      expect(maxDiff(trained, inference)).toBeGreaterThan(0.5);
      expect(maxDiff(trainable.getWeights()[2]!, moving[0]!)).toBeGreaterThan(0.1);
    });
  }
});

describe('frozen Dropout and noise layers pass their input through in training steps', () => {
  it('Dropout', async () => {
    await tf.setBackend('wasm');
    const layer = dropout({ rate: 0.5 });
    const x = tf.ones([16, 32]);
    expect(maxDiff(layer.apply(x, { training: true }) as tf.Tensor, x)).toBeGreaterThan(0);
    layer.trainable = false;
    expect(maxDiff(layer.apply(x, { training: true }) as tf.Tensor, x)).toBe(0);
  });

  it('GaussianNoise, GaussianDropout, AlphaDropout and SpatialDropout1D of a loaded model', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({
      layers: [
        tf.layers.gaussianNoise({ stddev: 1, inputShape: [4, 8] }),
        tf.layers.gaussianDropout({ rate: 0.5 }),
        tf.layers.alphaDropout({ rate: 0.5 }),
        tf.layers.spatialDropout1d({ rate: 0.5 }),
      ],
    });
    // Bases are loaded from model.json: the registered classes are what loading builds.
    const loaded = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) });
    const x = tf.ones([16, 4, 8]);
    for (const layer of loaded.layers)
      expect(
        maxDiff(layer.apply(x, { training: true }) as tf.Tensor, x),
        layer.name,
      ).toBeGreaterThan(0);
    for (const layer of loaded.layers) layer.trainable = false;
    expect(maxDiff(loaded.apply(x, { training: true }) as tf.Tensor, x)).toBe(0);
  });

  it('our TransformerEncoderBlock (its attention and feed-forward dropout)', async () => {
    await tf.setBackend('wasm');
    const block = new TransformerEncoderBlock({ dim: 8, heads: 2, ff: 16, rate: 0.5 });
    const x = seeded([4, 6, 8], 3);
    const inference = block.apply(x, { training: false }) as tf.Tensor;
    expect(maxDiff(block.apply(x, { training: true }) as tf.Tensor, inference)).toBeGreaterThan(0);
    block.trainable = false;
    expect(maxDiff(block.apply(x, { training: true }) as tf.Tensor, inference)).toBe(0);
  });
});
