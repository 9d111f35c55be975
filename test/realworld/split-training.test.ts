import { readFileSync } from 'node:fs';
import { JobEventLog } from '@trainyard/shared';
import { digitPng, makeZip, mnistDigits } from '@trainyard/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfer, trainModel } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// Training on split-folder and non-ASCII image zips with the real trainer (tiny CNN, 2 epochs):
// datasets go up through the HTTP API, models are read back through it.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

async function validate(name: string, zip: Uint8Array) {
  const created = await body(
    await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, task: 'image_classification', format: 'image_folder_zip' }),
    }),
  );
  await api.call(`/v1/datasets/${created.id}/file`, { method: 'PUT', body: zip });
  const dataset = await body(
    await api.call(`/v1/datasets/${created.id}/complete`, { method: 'POST' }),
  );
  expect(dataset.status).toBe('ready');
  return dataset;
}

const tiny = {
  architecture: { type: 'cnn' as const, input_size: [16, 16] as [number, number], filters: [8] },
  hyperparameters: { epochs: 2, batch_size: 16, early_stopping: null },
};

async function loaded(jobId: string) {
  const events = await new JobEventLog(api.runtime.storage, 'test').list(jobId);
  return events.find((e) => e.type === 'data.loaded')?.data;
}

describe('split-folder datasets', () => {
  // Per digit: 12 in train/, 4 in validation/, 4 in test/.
  const zip = (async () => {
    const digits = mnistDigits([0, 1, 2], 20);
    const pngs = await Promise.all(digits.map(digitPng));
    return makeZip(
      digits.map((d, i) => {
        const k = i % 20;
        const split = k < 12 ? 'train' : k < 16 ? 'validation' : 'test';
        return { name: `mnist/${split}/${d.label}/${i}.png`, data: pngs[i]! };
      }),
    );
  })();

  it('validate on the validation folder and publish test metrics on the model card', async () => {
    const dataset = await validate('mnist-splits', await zip);
    expect(dataset.report.stats.splits).toEqual({ train: 36, validation: 12, test: 12 });

    const { modelId, spec } = await trainModel(api.runtime, dataset, tiny);
    expect(spec.validation_source).toBe('dataset_split');
    expect(await loaded(spec.id)).toMatchObject({
      train: 36,
      validation: 12,
      test: 12,
      validation_source: 'dataset_split',
    });

    const model = await body(await api.call(`/v1/models/${modelId}`));
    const { metrics } = model;
    // The 4 validation images of each digit, not a random fifth of train + validation (3 each).
    expect(metrics).toMatchObject({ split: 'validation', examples: 12, labels: ['0', '1', '2'] });
    expect(metrics.per_class.map((c: { support: number }) => c.support)).toEqual([4, 4, 4]);
    expect(metrics.test).toMatchObject({ split: 'test', examples: 12, labels: ['0', '1', '2'] });
    expect(metrics.test.per_class.map((c: { support: number }) => c.support)).toEqual([4, 4, 4]);
    expect(metrics.test.accuracy).toBeGreaterThanOrEqual(0);
    expect(metrics.test.accuracy).toBeLessThanOrEqual(1);
    const confusion = metrics.test.confusion_matrix as number[][];
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(12);
  }, 120_000);

  it('an explicit validation_split pools train and validation folders; test stays held out', async () => {
    const dataset = await validate('mnist-splits-random', await zip);
    const { modelId, spec } = await trainModel(api.runtime, dataset, {
      ...tiny,
      validation_split: 0.5,
    });
    expect(spec.validation_source).toBe('random_split');
    expect(await loaded(spec.id)).toMatchObject({ train: 24, validation: 24, test: 12 });
    const { metrics } = await body(await api.call(`/v1/models/${modelId}`));
    expect(metrics.examples).toBe(24);
    expect(metrics.test.examples).toBe(12);
  }, 120_000);
});

describe('non-ASCII class names', () => {
  it('a model trained on a macOS zip (NFD names) predicts the NFC names the user types', async () => {
    const zip = readFileSync(
      new URL('../fixtures/realworld/04-unicode-class-names/macos-finder.zip', import.meta.url),
    );
    const dataset = await validate('desserts', zip);
    const { modelId } = await trainModel(api.runtime, dataset, tiny);
    const infer = await startInfer(api.runtime);
    try {
      const image = await sharp({
        create: { width: 16, height: 16, channels: 3, background: '#c8a070' },
      })
        .jpeg()
        .toBuffer();
      const res = await infer.predict(modelId, {
        headers: { 'content-type': 'image/jpeg' },
        body: new Uint8Array(image),
        query: 'top_k=2',
      });
      expect(res.status).toBe(200);
      const { predictions } = await body(res);
      const labels = predictions[0].map((p: { label: string }) => p.label).sort();
      expect(labels).toEqual(['cr\u00e8me br\u00fbl\u00e9e', '\u00e9clair']);
    } finally {
      await infer.close();
    }
  }, 120_000);
});
