import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCpuAndWasm, seeded, useWasm } from '../backend/kernels/test-support';
import { BatchNormalization, batchNormalization } from './batch-norm';

beforeAll(useWasm);

/**
 * One training step through the layer: output, gradients of x, gamma and beta, and the moving
 * statistics after it. On cpu the layer runs tfjs-layers' own code, the reference.
 */
function trainingStep(shape: number[], offset: number) {
  const channels = shape.at(-1)!;
  const layer = batchNormalization({
    momentum: 0.9,
    epsilon: 1e-3,
    gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 1 }),
    betaInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }),
  });
  // A large mean next to the spread: the variance must not come from E[x²] − E[x]².
  const x = tf.variable(seeded(shape, 3).mul(2).add(offset));
  const dy = seeded(shape, 4);
  layer.build(shape);
  let y: tf.Tensor | undefined;
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
    return y.mul(dy).sum() as tf.Scalar;
  });
  // tfjs-layers' order: gamma, beta, moving mean, moving variance.
  const [gamma, beta, movingMean, movingVariance] = layer.weights.map(
    (w) => w.read() as tf.Variable,
  );
  expect(gamma!.shape).toEqual([channels]);
  const out = [
    y!,
    grads[x.name]!,
    grads[gamma!.name]!,
    grads[beta!.name]!,
    movingMean!.clone(),
    movingVariance!.clone(),
  ];
  for (const w of layer.weights) w.dispose();
  x.dispose();
  return out;
}

describe('BatchNormalization in training mode on wasm matches tfjs-layers on cpu', () => {
  it('NHWC activations: output, dx, dgamma, dbeta and the moving statistics', async () => {
    await expectSameOnCpuAndWasm(() => trainingStep([4, 6, 5, 20], 0), 1e-4);
  });

  it('a dense head (rank 2, channels not a multiple of 4) around a large mean', async () => {
    await expectSameOnCpuAndWasm(() => trainingStep([70, 6], 50), 1e-4);
  });

  it('runs as our two kernels on wasm, not as tfjs ops over the activation', async () => {
    await tf.setBackend('wasm');
    const { kernelNames } = await tf.profile(() => {
      for (const t of trainingStep([2, 4, 4, 8], 0)) t.dispose();
    });
    expect(kernelNames).toEqual(
      expect.arrayContaining(['TrainyardBatchNormTraining', 'TrainyardBatchNormTrainingGrad']),
    );
    expect(kernelNames).not.toContain('FusedBatchNorm');
  });

  it('saves as a plain BatchNormalization layer and loads back as this class', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4 }), batchNormalization({})],
    });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string }[] } };
    expect(json.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'BatchNormalization']);
    const loaded = await tf.models.modelFromJSON({ modelTopology: json });
    expect(loaded.layers[1]).toBeInstanceOf(BatchNormalization);
    tf.dispose([model, loaded] as never);
  });
});

describe('BatchNormalization without gamma or beta (scale or center false, as InceptionV3 has)', () => {
  // tfjs-layers' own code could not be differentiated through such a layer (an undefined scale
  // reached the gradient tape): a training step through a frozen InceptionV3 crashed.
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const [scale, center] of [
      [false, true],
      [true, false],
    ] as const) {
      it(`${backend}, scale ${scale}, center ${center}: trains through it, frozen and not`, async () => {
        await tf.setBackend(backend);
        const shape = [2, 3, 3, 4];
        const layer = batchNormalization({ scale, center, momentum: 0.5, epsilon: 1e-3 });
        layer.build(shape);
        const [, , movingMean, movingVariance] = [
          ...(scale ? [layer.weights[0]] : [undefined]),
          ...(center ? [layer.weights[scale ? 1 : 0]] : [undefined]),
          layer.weights.at(-2)!,
          layer.weights.at(-1)!,
        ];
        movingMean!.write(tf.tensor1d([1, 2, 3, 4]));
        movingVariance!.write(tf.tensor1d([4, 4, 1, 1]));
        const x = tf.variable(seeded(shape, 5).mul(3));
        // Frozen: inference mode, (x - moving mean) / sqrt(moving variance + epsilon), and a
        // gradient for x (the layer before it trains).
        layer.trainable = false;
        const expected = x
          .sub(tf.tensor1d([1, 2, 3, 4]))
          .div(tf.tensor1d([4, 4, 1, 1]).add(1e-3).sqrt());
        const frozen = tf.variableGrads(
          () => (layer.apply(x, { training: true }) as tf.Tensor).square().sum() as tf.Scalar,
          [x],
        );
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        expect(Math.max(...(await y.sub(expected).abs().data()))).toBeLessThan(1e-5);
        expect(Math.max(...(await frozen.grads[x.name]!.abs().data()))).toBeGreaterThan(0);
        expect(Array.from(await movingMean!.read().data())).toEqual([1, 2, 3, 4]);
        // Trainable: batch statistics, the moving mean moves halfway to the batch mean, and the
        // one affine variable it has gets a gradient.
        layer.trainable = true;
        const { grads } = tf.variableGrads(
          () =>
            (layer.apply(x, { training: true }) as tf.Tensor)
              .mul(seeded(shape, 6))
              .sum() as tf.Scalar,
        );
        const batchMean = await x.mean([0, 1, 2]).data();
        const moved = await movingMean!.read().data();
        for (let c = 0; c < 4; c++) expect(moved[c]).toBeCloseTo((c + 1 + batchMean[c]!) / 2, 4);
        // x, and gamma or beta (the one it has); the moving statistics are not trained.
        expect(Object.keys(grads)).toHaveLength(2);
        expect(Object.keys(grads).some((k) => k.startsWith(scale ? 'gamma' : 'beta'))).toBe(true);
        await tf.setBackend('wasm');
      });
    }
  }
});
