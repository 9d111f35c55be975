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
