import { cars, iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset, trainModel } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// Class weights on real, imbalanced data: iris with virginica cut to 5 training rows. The model
// is scored on a separate validation dataset holding the other 45 virginica.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const { header, rows } = iris();
const bySpecies = (s: string) => rows.filter((r) => r[4] === s);
const [setosa, versicolor, virginica] = ['setosa', 'versicolor', 'virginica'].map(bySpecies) as [
  typeof rows,
  typeof rows,
  typeof rows,
];
const table = (name: string, part: typeof rows) =>
  readyDataset(
    api.runtime,
    { name, task: 'tabular_classification', format: 'csv', label_column: 'species' },
    toCsv(header, part),
  );

describe('class_weight', () => {
  it('the plan of a dataset at 3.5:1 (cars by origin) weighs nothing; thinned to 7:1 it weighs classes balanced', async () => {
    const columns = ['Miles_per_Gallon', 'Horsepower', 'Weight_in_lbs', 'Origin'] as const;
    const seen = new Map<string, number>();
    const all = cars();
    // Every second European and Japanese car: 254 : 37 : 40.
    const thinned = all.filter((c) => {
      const k = (seen.get(c.Origin) ?? 0) + 1;
      seen.set(c.Origin, k);
      return c.Origin === 'USA' || k % 2 === 0;
    });
    const plan = async (name: string, part: typeof all) => {
      const dataset = await readyDataset(
        api.runtime,
        { name, task: 'tabular_classification', format: 'csv', label_column: 'Origin' },
        toCsv(
          [...columns],
          part.map((c) => columns.map((k) => c[k])),
        ),
      );
      const res = await api.call('/v1/fine-tuning/jobs/plan', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: dataset.id }),
      });
      expect(res.status).toBe(200);
      return (await body(res)).spec.hyperparameters.class_weight;
    };
    expect(await plan('cars', all)).toBeNull();
    expect(await plan('cars-thinned', thinned)).toBe('balanced');
  });

  it('defaults to balanced past a 5x imbalance, and balanced weights raise the minority recall', async () => {
    const train = await table('iris-imbalanced', [
      ...setosa.slice(0, 40),
      ...versicolor.slice(0, 40),
      ...virginica.slice(0, 5),
    ]);
    const validation = await table('iris-held-out', [
      ...setosa.slice(40),
      ...versicolor.slice(40),
      ...virginica.slice(5),
    ]);
    const request = {
      validation_dataset: validation.id,
      hyperparameters: { epochs: 40, early_stopping: null },
    };
    const weighted = await trainModel(api.runtime, train, request);
    expect(weighted.spec.hyperparameters.class_weight).toBe('balanced');
    const plain = await trainModel(api.runtime, train, {
      ...request,
      hyperparameters: { ...request.hyperparameters, class_weight: null },
    });
    expect(plain.spec.hyperparameters.class_weight).toBeNull();

    const recall = async (modelId: string) => {
      const model = await body(await api.call(`/v1/models/${modelId}`));
      return model.metrics.per_class.find((c: { label: string }) => c.label === 'virginica')
        .recall as number;
    };
    const [withWeights, without] = [await recall(weighted.modelId), await recall(plain.modelId)];
    expect(withWeights).toBeGreaterThan(without + 0.1);
  }, 120_000);

  it('rejects a weight map naming an unknown class or a non-positive weight, and weights for regression', async () => {
    const dataset = await table('iris', rows);
    const create = (hyperparameters: object, dataset_id = dataset.id) =>
      api.call('/v1/fine-tuning/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: dataset_id, hyperparameters }),
      });
    const unknown = await create({ class_weight: { setosa: 1, daisy: 2 } });
    expect(unknown.status).toBe(400);
    const error = (await body(unknown)).error;
    expect(error.param).toBe('body.hyperparameters.class_weight.daisy');
    expect(error.message).toContain('"daisy"');
    expect(error.message).toContain('"virginica"');

    const zero = await create({ class_weight: { setosa: 0 } });
    expect(zero.status).toBe(400);
    expect((await body(zero)).error.param).toContain('hyperparameters.class_weight');

    const carsData = await readyDataset(
      api.runtime,
      { name: 'reg', task: 'tabular_regression', format: 'csv', label_column: 'petal_width' },
      toCsv(
        header.slice(0, 4),
        rows.map((r) => r.slice(0, 4)),
      ),
    );
    const regression = await create({ class_weight: 'balanced' }, carsData.id);
    expect(regression.status).toBe(400);
    expect((await body(regression)).error.param).toBe('body.hyperparameters.class_weight');
  });
});
