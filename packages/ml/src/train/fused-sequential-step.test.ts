import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEQUENTIAL_TRAIN_STEP } from '../backend/kernels/sequential-train-step';
import { seeded, useWasm } from '../backend/kernels/test-support';
import type { EncodedDataset } from '../data/encode';
import { batchNormalization } from '../models/batch-norm';
import { buildCnn } from '../models/cnn';
import { conv2d } from '../models/conv2d';
import { dropout } from '../models/dropout';
import { Adam, adam } from './adam';
import { expectSameFit, fitOnCpuAndWasm } from './fit-on-both-test-support';
import { fusedSequentialStep } from './fused-sequential-step';
import { fusedTrainStep } from './fused-train-step';
import { seedRandom } from './seed';

beforeAll(useWasm);

const CLASSES = 3;
const LABELS = [0, 1, 2, 1, 0, 2, 2, 1, 0, 1];

/**
 * Every layer kind and option the step covers: conv without bias (8 channels: our direct kernel
 * where chosen) → batch norm → Activation ReLU → max pool (these three as one block) → conv with
 * bias and ReLU, stride 2, valid padding → max pool with overlapping windows, same padding →
 * flatten → dense ReLU (16 units) → dense softmax (3: the transposed-kernel products).
 */
function allLayers(): tf.LayersModel {
  return tf.sequential({
    layers: [
      conv2d({
        inputShape: [10, 10, 2],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      batchNormalization({ momentum: 0.9 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 16, activation: 'relu' }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
    ],
  });
}

/**
 * Trainyard's CNN builder: conv-BN-ReLU-pool stages (the second's 5×5 maps leave a row and a
 * column outside the pooling windows), a dense head with batch norm.
 */
function builtCnn(): tf.LayersModel {
  return buildCnn({
    inputShape: [10, 10, 2],
    classes: CLASSES,
    filters: [8, 4],
    head: { units: [6], batchNorm: true },
  });
}

/** The same weights on both backends, whatever each drew at build time. */
function deterministic(model: tf.LayersModel): tf.LayersModel {
  model.layers.forEach((layer, i) => {
    layer.setWeights(
      layer.getWeights().map((w, j) =>
        // Moving variances stay positive.
        layer.getClassName() === 'BatchNormalization' && j === 3
          ? seeded(w.shape, 10 + 4 * i + j).add(2)
          : seeded(w.shape, 10 + 4 * i + j).mul(0.5),
      ),
    );
  });
  return model;
}

interface Run {
  losses: number[];
  /** Weights (trainable and batch norm's moving statistics), then Adam's moments. */
  values: number[][];
}

/**
 * Four steps of Adam (at 0.01: Adam's first steps move each weight by about the rate whatever its
 * gradient's size, so at larger rates a near-zero gradient that rounds to the other sign on the
 * other backend moves a weight the other way; wasm's generic path differs from cpu as much) from
 * the same weights: with `fused`, the first three through the fused step
 * and the last through tfjs's generic trainOnBatch (continuing from the fused steps' state),
 * otherwise all four through trainOnBatch (tfjs's own code).
 */
async function train(
  build: () => tf.LayersModel,
  backend: 'cpu' | 'wasm',
  fused: boolean,
  epsilon?: number,
): Promise<Run> {
  await tf.setBackend(backend);
  seedRandom(5); // the dropout masks' stream
  const model = deterministic(build());
  const optimizer = new Adam(0.01, 0.9, 0.999, epsilon);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  const step = fused ? fusedSequentialStep(model, optimizer) : null;
  if (fused) expect(step).not.toBeNull();
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const x = seeded([LABELS.length, 10, 10, 2], 20 + i).mul(2);
    const labels = tf.tensor1d(LABELS, 'float32');
    if (step && i < 3) losses.push(step(x, labels).loss);
    else losses.push((await model.trainOnBatch(x, labels)) as number);
    tf.dispose([x, labels]);
  }
  const moments = (await optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
  const values = [...model.getWeights().map((w) => Array.from(w.dataSync())), ...moments];
  model.dispose();
  return { losses, values };
}

/** Two runs agree within float32 rounding, scaled to each output's magnitude. */
function expectSame(actual: Run, expected: Run, tolerance = 1e-4): void {
  const outputs = [expected.losses, ...expected.values];
  const got = [actual.losses, ...actual.values];
  expect(got.length).toBe(outputs.length);
  for (const [i, want] of outputs.entries()) {
    expect(got[i]!.length, `size of output ${i}`).toBe(want.length);
    const scale = Math.max(1, ...want.map(Math.abs));
    const worst = Math.max(...want.map((w, k) => Math.abs(w - got[i]![k]!)));
    expect(worst / scale, `largest difference in output ${i}`).toBeLessThan(tolerance);
  }
}

describe('the fused sequential training step on wasm matches tfjs', () => {
  it("every covered layer: losses, weights, moving statistics and Adam's moments after 4 steps, against cpu", async () => {
    expectSame(await train(allLayers, 'wasm', true), await train(allLayers, 'cpu', false));
  });

  it("Trainyard's CNN builder (ReLU layers, batch norm in the dense head), against cpu", async () => {
    // Adam's ε at 1e-3: the tiny maps (2×2 after two pools, batch norm over 10 rows in the head)
    // leave gradients of ~1e-7, float32 noise, which Adam's default ε (1e-7) turns into steps of
    // ±the rate; there wasm's generic path differs from cpu as much as the fused step does.
    expectSame(
      await train(builtCnn, 'wasm', true, 1e-3),
      await train(builtCnn, 'cpu', false, 1e-3),
    );
  });

  it("dropout: the same masks as our Dropout layer draws on wasm's generic path", async () => {
    const withDropout = () =>
      tf.sequential({
        layers: [
          conv2d({ inputShape: [10, 10, 2], filters: 8, kernelSize: 3, useBias: false }),
          batchNormalization({}),
          tf.layers.reLU(),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          dropout({ rate: 0.25 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 8, activation: 'relu' }),
          dropout({ rate: 0.5 }),
          tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
        ],
      });
    const generic = await train(withDropout, 'wasm', false);
    const fused = await train(withDropout, 'wasm', true);
    expectSame(fused, generic);
    // The masks mattered: without dropout the same weights train elsewhere.
    const none = await train(
      () => {
        const model = withDropout();
        for (const layer of model.layers)
          if (layer.getClassName() === 'Dropout') (layer as unknown as { rate: number }).rate = 0;
        return model;
      },
      'wasm',
      true,
    );
    expect(none.losses[1]).not.toBeCloseTo(fused.losses[1]!, 3);
  });

  it('is one kernel a step, and the trained model saves and loads as plain tfjs layers', async () => {
    await tf.setBackend('wasm');
    const model = builtCnn();
    const optimizer = adam();
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
    const step = fusedTrainStep(model, optimizer)!;
    const x = seeded([4, 10, 10, 2], 1);
    const labels = tf.tensor1d([0, 1, 2, 0]);
    step(x, labels);
    const before = tf.memory().numTensors;
    const { kernelNames } = await tf.profile(() => {
      step(x, labels);
    });
    expect(kernelNames.filter((k) => k !== 'Identity')).toEqual([SEQUENTIAL_TRAIN_STEP]);
    expect(tf.memory().numTensors).toBe(before);
    expect(optimizer.iterations).toBe(2);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const topology = artifacts!.modelTopology as { config: { layers: { class_name: string }[] } };
    expect(new Set(topology.config.layers.map((l) => l.class_name))).toEqual(
      new Set([
        'InputLayer',
        'Conv2D',
        'BatchNormalization',
        'ReLU',
        'MaxPooling2D',
        'Flatten',
        'Dense',
        'Activation',
      ]),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const want = (model.predict(x) as tf.Tensor).dataSync();
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(want));
    tf.dispose([x, labels]);
    model.dispose();
    loaded.dispose();
  });

  it('declines what it does not cover, so that callers take the generic path', async () => {
    await tf.setBackend('wasm');
    const input = { inputShape: [6, 6, 1], filters: 8, kernelSize: 3 };
    const head = () => [tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })];
    const models = {
      averagePooling: [conv2d(input), tf.layers.averagePooling2d({ poolSize: 2 }), ...head()],
      tanh: [conv2d({ ...input, activation: 'tanh' }), ...head()],
      regularized: [conv2d({ ...input, kernelRegularizer: tf.regularizers.l2() }), ...head()],
      dilated: [conv2d({ ...input, dilationRate: 2 }), ...head()],
      regression: [conv2d(input), tf.layers.flatten(), tf.layers.dense({ units: 1 })],
      frozen: [conv2d({ ...input, trainable: false }), ...head()],
    };
    for (const [name, layers] of Object.entries(models)) {
      expect(fusedSequentialStep(tf.sequential({ layers }), adam()), name).toBeNull();
    }
    expect(fusedSequentialStep(builtCnn(), tf.train.sgd(0.1))).toBeNull();
    expect(fusedSequentialStep(builtCnn(), tf.train.adam())).toBeNull();
    await tf.setBackend('cpu');
    expect(fusedSequentialStep(builtCnn(), adam())).toBeNull();
    await tf.setBackend('wasm');
  });

  it("fit() takes it for a CNN on wasm and trains as tfjs's generic path on cpu", async () => {
    const labels = [0, 1, 2, 1, 0, 2, 2, 1, 0, 1, 2, 0];
    const images = seeded([labels.length, 10, 10, 2], 7);
    const pixels = images.dataSync().slice();
    images.dispose();
    const data: EncodedDataset = {
      count: labels.length,
      exampleShape: [10, 10, 2],
      classes: CLASSES,
      labels,
      batch: (indices) => ({
        xs: tf.tensor4d(
          Array.from(indices).flatMap((i) => Array.from(pixels.subarray(i * 200, (i + 1) * 200))),
          [indices.length, 10, 10, 2],
        ),
        ys: tf
          .oneHot(
            Array.from(indices, (i) => labels[i]!),
            CLASSES,
          )
          .toFloat(),
      }),
    };
    const { cpu, wasm } = await fitOnCpuAndWasm(() => deterministic(allLayers()), data, 0.01);
    expect(wasm.kernelNames).toContain(SEQUENTIAL_TRAIN_STEP);
    expect(wasm.kernelNames).not.toContain('Conv2DBackpropFilter');
    expect(cpu.kernelNames).not.toContain(SEQUENTIAL_TRAIN_STEP);
    expectSameFit(cpu, wasm);
  });
});
