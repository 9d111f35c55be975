import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DENSE_TRAIN_STEP } from '../backend/kernels/dense-train-step';
import { seeded, useWasm } from '../backend/kernels/test-support';
import type { EncodedDataset } from '../data/encode';
import { buildMlp } from '../models/mlp';
import { adam } from './adam';
import { expectSameFit, fitOnCpuAndWasm } from './fit-on-both-test-support';
import { fusedDenseStep } from './fused-dense-step';

beforeAll(useWasm);

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

/** Dense 7 ReLU → dense 5 ReLU → dense 3 softmax (the bench's MLP, smaller). */
function denseModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [6],
        units: 7,
        activation: 'relu',
        kernelInitializer: init(1),
        biasInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 2 }),
      }),
      tf.layers.dense({ units: 5, activation: 'relu', kernelInitializer: init(3) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: init(4) }),
    ],
  });
}

/** Trainyard's MLP builder: dense (no activation) → Activation ReLU → dense softmax. */
function builtMlp(): tf.LayersModel {
  const model = buildMlp({ inputShape: [6], classes: 3, head: { units: [9] } });
  model.layers.forEach((layer, i) => {
    // Deterministic weights on both backends.
    layer.setWeights(layer.getWeights().map((w, j) => seeded(w.shape, 10 + 3 * i + j).mul(0.5)));
  });
  return model;
}

/**
 * Four steps of Adam on a model: on wasm the first three through the fused step (the last through
 * tfjs's generic trainOnBatch, continuing from the fused steps' optimizer state), on cpu all four
 * through trainOnBatch (tfjs's own code). Returns the losses, the weights and Adam's moments after.
 */
async function train(build: () => tf.LayersModel, backend: 'cpu' | 'wasm'): Promise<number[][]> {
  await tf.setBackend(backend);
  const model = build();
  const optimizer = adam(0.05);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const step = fusedDenseStep(model, optimizer);
  if (backend === 'wasm') expect(step).not.toBeNull();
  else expect(step).toBeNull();
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const x = seeded([10, 6], 20 + i).mul(2);
    const labels = tf.tensor1d([0, 1, 2, 1, 0, 2, 2, 1, 0, 1], 'float32');
    if (step && i < 3) losses.push(step(x, labels).loss);
    else losses.push((await model.trainOnBatch(x, labels)) as number);
    tf.dispose([x, labels]);
  }
  const moments = (await optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
  const out = [losses, ...model.getWeights().map((w) => Array.from(w.dataSync())), ...moments];
  model.dispose();
  return out;
}

/** Both backends' runs agree within float32 rounding, scaled to each output's magnitude. */
async function expectSameTraining(build: () => tf.LayersModel): Promise<void> {
  const expected = await train(build, 'cpu');
  const actual = await train(build, 'wasm');
  expect(actual.length).toBe(expected.length);
  for (const [i, want] of expected.entries()) {
    const got = actual[i]!;
    expect(got.length, `size of output ${i}`).toBe(want.length);
    const scale = Math.max(1, ...want.map(Math.abs));
    const worst = Math.max(...want.map((w, k) => Math.abs(w - got[k]!)));
    expect(worst / scale, `largest difference in output ${i}`).toBeLessThan(1e-4);
  }
}

describe('the fused dense training step on wasm matches tfjs on cpu', () => {
  it("a chain of dense layers with ReLU: losses, every weight and Adam's state after 4 steps", async () => {
    await expectSameTraining(denseModel);
  });

  it("Trainyard's MLP (dense, Activation ReLU, softmax output)", async () => {
    await expectSameTraining(builtMlp);
  });

  it('is one kernel a step', async () => {
    await tf.setBackend('wasm');
    const model = denseModel();
    const optimizer = adam();
    const step = fusedDenseStep(model, optimizer)!;
    const x = seeded([4, 6], 1);
    const labels = tf.tensor1d([0, 1, 2, 0]);
    step(x, labels);
    const { kernelNames } = await tf.profile(() => {
      step(x, labels);
    });
    expect(kernelNames.filter((k) => k !== 'Identity')).toEqual([DENSE_TRAIN_STEP]);
    expect(optimizer.iterations).toBe(2);
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('declines what it does not cover, so that callers take the generic path', async () => {
    await tf.setBackend('wasm');
    const withDropout = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const regularized = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [4],
          units: 2,
          activation: 'softmax',
          kernelRegularizer: tf.regularizers.l2(),
        }),
      ],
    });
    const regression = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });
    const tanh = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3, activation: 'tanh' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    for (const [name, model] of Object.entries({ withDropout, regularized, regression, tanh })) {
      expect(fusedDenseStep(model, adam()), name).toBeNull();
    }
    expect(fusedDenseStep(denseModel(), tf.train.sgd(0.1))).toBeNull();
    await tf.setBackend('cpu');
    expect(fusedDenseStep(denseModel(), adam())).toBeNull();
    await tf.setBackend('wasm');
  });

  it("fit() takes it for a dense classifier on wasm and trains as tfjs's generic path on cpu", async () => {
    const labels = [0, 1, 2, 1, 0, 2, 2, 1, 0, 1, 2, 0];
    const features = seeded([labels.length, 6], 7).mul(2);
    const rows = features.arraySync() as number[][];
    features.dispose();
    const data: EncodedDataset = {
      count: labels.length,
      exampleShape: [6],
      classes: 3,
      labels,
      batch: (indices) => ({
        xs: tf.tensor2d(Array.from(indices, (i) => rows[i]!)),
        ys: tf
          .oneHot(
            Array.from(indices, (i) => labels[i]!),
            3,
          )
          .toFloat(),
      }),
    };
    const { cpu, wasm } = await fitOnCpuAndWasm(denseModel, data, 0.05);
    expect(wasm.kernelNames).toContain(DENSE_TRAIN_STEP);
    expect(wasm.kernelNames).not.toContain('BatchMatMul');
    expect(cpu.kernelNames).not.toContain(DENSE_TRAIN_STEP);
    expectSameFit(cpu, wasm);
  });
});
