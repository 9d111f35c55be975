import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GeneralizedMeanPooling2D } from './generalized-mean-pooling';

describe('GeneralizedMeanPooling2D', () => {
  // One picture, a 2×2 map of two channels: [0, 1, 2, 3] and [4, 4, 4, 4].
  const map = tf.tensor4d([0, 4, 1, 4, 2, 4, 3, 4], [1, 2, 2, 2]);

  it('pools each channel to (mean of x^p)^(1/p): average pooling at p 1, nearer the max as p grows', () => {
    const at = (p: number) =>
      Array.from((new GeneralizedMeanPooling2D({ p }).apply(map) as tf.Tensor).dataSync());
    expect(at(1)[0]).toBeCloseTo(1.5, 5);
    expect(at(3)[0]).toBeCloseTo(Math.cbrt((0 + 1 + 8 + 27) / 4), 5); // 2.080
    expect(at(20)[0]).toBeCloseTo(3 * 4 ** -0.05, 4); // 2.799: the max, 3, nearly
    for (const p of [1, 3, 20]) expect(at(p)[1]).toBeCloseTo(4, 5);
    expect(new GeneralizedMeanPooling2D().computeOutputShape([null, 7, 5, 32])).toEqual([null, 32]);
  });

  it('saves with its p and loads back into a model that computes the same', async () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const pooled = new GeneralizedMeanPooling2D({ p: 2.5, name: 'gem' }).apply(input);
    const model = tf.model({ inputs: input, outputs: pooled as tf.SymbolicTensor });
    let saved!: tf.io.ModelArtifacts;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    expect(JSON.stringify(saved.modelTopology)).toContain('"p":2.5');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved));
    const x = tf.randomUniform([2, 4, 4, 3], 0, 2, 'float32', 1);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(loaded.getLayer('gem')).toBeInstanceOf(GeneralizedMeanPooling2D);
  });

  it('refuses a p that is not positive', () => {
    expect(() => new GeneralizedMeanPooling2D({ p: 0 })).toThrow(/p must be > 0; received 0/);
  });
});
