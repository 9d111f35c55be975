import { createRuntime } from '@trainyard/shared';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';
import { json, readyDataset, trainModel } from './support';

// `npm start`'s platform in this process (embedded S3, API, inference function over HTTP): a
// model deleted through the API stops answering predictions at once, and the API says it was
// deleted rather than that it never existed.

const harness = await platformHarness();
const { header, rows } = iris();
const inputs = [Object.fromEntries(header.slice(0, 4).map((f, i) => [f, rows[0]![i]]))];

let modelId: string;
let jobId: string;
beforeAll(async () => {
  const platform = await harness.start();
  const runtime = createRuntime(platform.config, 'test');
  const dataset = await readyDataset(
    runtime,
    { name: 'iris', task: 'tabular_classification', format: 'csv', label_column: 'species' },
    toCsv(header, rows),
  );
  const trained = await trainModel(runtime, dataset, {
    hyperparameters: { epochs: 2, early_stopping: null },
  });
  modelId = trained.modelId;
  jobId = trained.spec.id;
}, 90_000);
afterAll(() => harness.dispose());

const predict = () =>
  fetch(`${harness.platform.inferUrl}/v1/models/${modelId}/predict`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${harness.platform.apiKey.secret}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ inputs }),
  });

describe('DELETE /v1/models/{id} on npm start', () => {
  it('stops predictions at once: the very next one is a 404', async () => {
    // Twice: the second answer comes from the inference function's cache.
    expect((await predict()).status).toBe(200);
    expect((await predict()).status).toBe(200);
    const deleted = await harness.call(`/v1/models/${modelId}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    const next = await predict();
    expect(next.status).toBe(404);
    const { error } = await json(next);
    expect(error.code).toBe('model_not_found');
    expect(error.message).toMatch(new RegExp(`^Model "${modelId}" was deleted at \\d{4}-`));
  });

  it("answers the job's result_model with a 404 saying the model was deleted", async () => {
    expect(modelId).toBe(`model_${jobId.slice('ftjob_'.length)}`);
    for (const init of [{}, { method: 'DELETE' }]) {
      const res = await harness.call(`/v1/models/${modelId}`, init);
      expect(res.status).toBe(404);
      const { error } = await json(res);
      expect(error.code).toBe('model_not_found');
      expect(error.message).toMatch(
        new RegExp(`^Model "${modelId}" was deleted at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z`),
      );
    }
    // An id that never existed is still plain "no model".
    const never = await harness.call('/v1/models/model_neverexisted');
    expect((await json(never)).error.message).toBe('No model with id "model_neverexisted"');
  });
});
