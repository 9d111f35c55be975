import { keys } from '@trainyard/shared';
import { cars, digitPng, iris, makeZip, mnistDigits, spamAndHam, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset, trainModel } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// Per-example evaluation of models trained by the real trainer on real data sets, read back
// through the HTTP API: every example traces back to its place in the uploaded file.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

interface Example {
  index: number;
  reference: { path?: string; row?: number; line?: number; text?: string } | null;
  true_label: string | null;
  predicted_label: string | null;
  scores: number[] | null;
  true_value: number | null;
  predicted_value: number | null;
}

const evaluation = (id: string, query = '') => api.call(`/v1/models/${id}/evaluation?${query}`);

/** Every example of a split, page by page. */
async function allExamples(id: string, query: string, limit: number): Promise<Example[]> {
  const out: Example[] = [];
  let after = '';
  for (;;) {
    const page = await body(await evaluation(id, `${query}&limit=${limit}${after}`));
    out.push(...page.data);
    if (!page.has_more) return out;
    after = `&after=${page.last_id}`;
  }
}

describe('tabular classification (iris)', () => {
  const { header, rows } = iris();
  const csv = toCsv(header, rows);
  let modelId: string;
  // biome-ignore lint/suspicious/noExplicitAny: the card as the API returns it
  let metrics: any;
  beforeAll(async () => {
    const dataset = await readyDataset(
      api.runtime,
      { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      csv,
    );
    ({ modelId } = await trainModel(api.runtime, dataset, {
      validation_split: 0.3,
      hyperparameters: { epochs: 15, early_stopping: null },
    }));
    metrics = (await body(await api.call(`/v1/models/${modelId}`))).metrics;
  }, 90_000);

  it('lists the examples behind each confusion-matrix cell, each pointing at its CSV row', async () => {
    const lines = csv.split('\n');
    const labels: string[] = metrics.labels;
    for (const [t, trueLabel] of labels.entries()) {
      for (const [p, predicted] of labels.entries()) {
        const res = await evaluation(
          modelId,
          `true_label=${trueLabel}&predicted_label=${predicted}&limit=1000`,
        );
        expect(res.status).toBe(200);
        const page = await body(res);
        expect(page.total).toBe(metrics.confusion_matrix[t][p]);
        expect(page.data).toHaveLength(page.total);
        for (const example of page.data as Example[]) {
          expect(example.predicted_label).toBe(predicted);
          // The row number is the line of the uploaded file (the header is row 1).
          expect(lines[example.reference!.row! - 1]!.split(',')[4]).toBe(trueLabel);
          const top = example.scores!.indexOf(Math.max(...example.scores!));
          expect(labels[top]).toBe(predicted);
        }
      }
    }
  });

  it('pages through every validation example once', async () => {
    const examples = await allExamples(modelId, 'split=validation', 7);
    expect(examples.map((e) => e.index)).toEqual([...Array(metrics.examples).keys()]);
    const rowsSeen = new Set(examples.map((e) => e.reference!.row));
    expect(rowsSeen.size).toBe(metrics.examples);
    const right = examples.filter((e) => e.true_label === e.predicted_label).length;
    expect(right / examples.length).toBeCloseTo(metrics.accuracy, 6);
  });

  it('has a threshold sweep and a calibration that agree with the examples', async () => {
    const examples = await allExamples(modelId, 'split=validation', 1000);
    const tops = examples.map((e) => Math.max(...e.scores!));
    for (const point of metrics.threshold_sweep.points) {
      const covered = examples.filter((_, i) => tops[i]! >= point.threshold);
      expect(point.coverage).toBeCloseTo(covered.length / examples.length, 6);
      expect(point.precision).toBeNull(); // three classes: no positive class
    }
    const { expected_calibration_error: ece, bins } = metrics.calibration;
    expect(bins).toHaveLength(10);
    expect(bins.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(examples.length);
    let expected = 0;
    for (const bin of bins) {
      const inBin = examples.filter(
        (_, i) => (tops[i]! > bin.lower || bin.lower === 0) && tops[i]! <= bin.upper,
      );
      if (!inBin.length) continue;
      const confidence = inBin.reduce((s, e) => s + Math.max(...e.scores!), 0) / inBin.length;
      const accuracy =
        inBin.filter((e) => e.true_label === e.predicted_label).length / inBin.length;
      expected += (inBin.length / examples.length) * Math.abs(accuracy - confidence);
    }
    expect(ece).toBeCloseTo(expected, 4);
  });

  it('answers 404 for a split the model was not evaluated on, 400 for an unknown label', async () => {
    const test = await evaluation(modelId, 'split=test');
    expect(test.status).toBe(404);
    expect((await body(test)).error.code).toBe('split_not_found');
    const unknown = await evaluation(modelId, 'true_label=daisy');
    expect(unknown.status).toBe(400);
    const error = (await body(unknown)).error;
    expect(error.param).toBe('true_label');
    expect(error.message).toContain('"setosa"');
    expect((await evaluation(modelId, 'split=holdout')).status).toBe(400);
    expect((await evaluation('model_doesnotexist')).status).toBe(404);
  });

  it('is documented in the OpenAPI document with its query', async () => {
    const doc = await body(await fetch(`${api.url}/openapi.json`));
    const get = doc.paths['/v1/models/{id}/evaluation'].get;
    expect(get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['id', 'split', 'true_label', 'predicted_label', 'limit', 'after']),
    );
    expect(doc.components.schemas.ModelMetrics.properties.calibration).toBeDefined();
  });

  it('gives null references for a dataset validated before references were kept', async () => {
    const dataset = await readyDataset(
      api.runtime,
      { name: 'iris-old', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      csv,
    );
    // Rewrite the manifest as older validators wrote it: shards without `references`.
    const manifestKey = keys.datasetManifest(dataset.id);
    const manifest = JSON.parse(
      Buffer.from(await api.runtime.storage.getBytes(manifestKey)).toString('utf8'),
    );
    for (const shard of manifest.shards) delete shard.references;
    await api.runtime.storage.putJson(manifestKey, manifest);
    const old = await trainModel(api.runtime, dataset, {
      hyperparameters: { epochs: 2, early_stopping: null },
    });
    const page = await body(await evaluation(old.modelId, 'limit=5'));
    expect(page.data).toHaveLength(5);
    expect(page.data.every((e: Example) => e.reference === null && e.true_label)).toBe(true);
  }, 60_000);
});

describe('text classification (spam)', () => {
  it('references each example by its JSON Lines line and text; binary sweep of the positive class', async () => {
    const messages = spamAndHam(30);
    const lines = messages.map((m) => JSON.stringify(m));
    const dataset = await readyDataset(
      api.runtime,
      { name: 'spam', task: 'text_classification', format: 'jsonl' },
      `${lines.join('\n')}\n`,
    );
    const { modelId } = await trainModel(api.runtime, dataset, {
      architecture: { type: 'gru', rnn_units: 8, embedding_dim: 16, max_length: 64 },
      hyperparameters: { epochs: 2, early_stopping: null },
    });
    const metrics = (await body(await api.call(`/v1/models/${modelId}`))).metrics;
    const examples = await allExamples(modelId, 'split=validation', 100);
    expect(examples).toHaveLength(metrics.examples);
    for (const e of examples) {
      const source = messages[e.reference!.line! - 1]!;
      expect(source.label).toBe(e.true_label);
      const text = e.reference!.text!;
      expect([...text].length).toBeLessThanOrEqual(200);
      expect(source.text.startsWith(text.endsWith('…') ? text.slice(0, -1) : text)).toBe(true);
    }
    const sweep = metrics.threshold_sweep;
    expect(sweep.positive_label).toBe('spam');
    const spam = metrics.labels.indexOf('spam');
    const positives = examples.filter((e) => e.true_label === 'spam');
    for (const point of sweep.points) {
      const hits = positives.filter((e) => e.scores![spam]! >= point.threshold).length;
      expect(point.recall).toBeCloseTo(hits / positives.length, 6);
    }
  }, 90_000);
});

describe('image classification (MNIST, split folders)', () => {
  it('references each validation and test example by its path in the zip', async () => {
    const digits = mnistDigits([3, 7], 12);
    const pngs = await Promise.all(digits.map(digitPng));
    const zip = makeZip(
      digits.map((d, i) => {
        const k = i % 12;
        const split = k < 6 ? 'train' : k < 9 ? 'val' : 'test';
        return { name: `digits/${split}/${d.label}/img-${i}.png`, data: pngs[i]! };
      }),
    );
    const dataset = await readyDataset(
      api.runtime,
      { name: 'digits', task: 'image_classification', format: 'image_folder_zip' },
      zip,
    );
    const { modelId } = await trainModel(api.runtime, dataset, {
      architecture: { type: 'cnn', input_size: [16, 16], filters: [8] },
      hyperparameters: { epochs: 2, batch_size: 8, early_stopping: null },
    });
    for (const [split, folder] of [
      ['validation', 'val'],
      ['test', 'test'],
    ] as const) {
      const page = await body(await evaluation(modelId, `split=${split}&limit=100`));
      expect(page.split).toBe(split);
      expect(page.total).toBe(6);
      for (const e of page.data as Example[]) {
        const [, inSplit, label] = e.reference!.path!.split('/');
        expect(inSplit).toBe(folder);
        expect(label).toBe(e.true_label);
      }
    }
  }, 90_000);
});

describe('tabular regression (cars)', () => {
  it('gives true and predicted values in the target units, consistent with the MAE', async () => {
    const columns = ['Miles_per_Gallon', 'Cylinders', 'Weight_in_lbs', 'Origin'] as const;
    const rows = cars().filter((c) => c.Miles_per_Gallon !== null);
    const csv = toCsv(
      columns,
      rows.map((c) => columns.map((k) => c[k])),
    );
    const dataset = await readyDataset(
      api.runtime,
      {
        name: 'cars',
        task: 'tabular_regression',
        format: 'csv',
        label_column: 'Miles_per_Gallon',
      },
      csv,
    );
    const { modelId } = await trainModel(api.runtime, dataset, {
      hyperparameters: { epochs: 5, early_stopping: null },
    });
    const metrics = (await body(await api.call(`/v1/models/${modelId}`))).metrics;
    expect(metrics.threshold_sweep).toBeNull();
    expect(metrics.calibration).toBeNull();
    const examples = await allExamples(modelId, 'split=validation', 1000);
    const lines = csv.split('\n');
    let abs = 0;
    for (const e of examples) {
      expect(e.true_label).toBeNull();
      expect(Number(lines[e.reference!.row! - 1]!.split(',')[0])).toBeCloseTo(e.true_value!, 4);
      abs += Math.abs(e.predicted_value! - e.true_value!);
    }
    expect(abs / examples.length).toBeCloseTo(metrics.mae, 3);
    const filtered = await evaluation(modelId, 'predicted_label=x');
    expect(filtered.status).toBe(400);
  }, 60_000);
});
