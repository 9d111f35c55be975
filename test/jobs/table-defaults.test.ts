import { iris, spamAndHam, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readyDataset } from '../infer/support';
import { body, startTestApi, type TestApi } from '../support/api';

// The defaults a user gets for a small table, read from POST /v1/fine-tuning/jobs/plan (the spec
// the job would run with). bench/README-quality.md measures them against logistic regression.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

async function plannedSpec(datasetId: string) {
  const res = await api.call('/v1/fine-tuning/jobs/plan', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataset: datasetId }),
  });
  expect(res.status).toBe(200);
  return (await body(res)).spec;
}

describe('defaults for a small table', () => {
  it('iris (150 rows): an mlp with L2 0.001, ten times what a small text dataset gets', async () => {
    const { header, rows } = iris();
    const table = await readyDataset(
      api.runtime,
      { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
      toCsv(header, rows),
    );
    const spec = await plannedSpec(table.id);
    expect(spec.architecture.type).toBe('mlp');
    expect(spec.regularization.l2).toBe(0.001);
    expect(spec.hyperparameters.class_weight).toBeNull();

    const text = await readyDataset(
      api.runtime,
      { name: 'spam', task: 'text_classification', format: 'jsonl' },
      spamAndHam(50)
        .map((m) => `${JSON.stringify(m)}\n`)
        .join(''),
    );
    expect((await plannedSpec(text.id)).regularization.l2).toBe(0.0001);
  });
});
