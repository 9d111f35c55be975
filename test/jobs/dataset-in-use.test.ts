import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset, type JobsApi, type Loose, startJobsApi, untilEnded } from './support';

// A dataset an unfinished job trains or validates on cannot be deleted from under it (the job
// would fail with dataset_not_found); once the job has ended, it can.

let api: JobsApi;
beforeAll(async () => {
  api = await startJobsApi();
}, 60_000);
afterAll(() => api.close());

describe('DELETE /v1/datasets/{id} while a job uses it', () => {
  it('answers 409 dataset_in_use naming the job, until the job has ended', async () => {
    const dataset = await irisDataset(api.call);
    const validation = await irisDataset(api.call);
    const created = await api.post('/v1/fine-tuning/jobs', {
      dataset,
      validation_dataset: validation,
      model_name: 'fixture mode=succeed ms=200',
      hyperparameters: { epochs: 200 },
    });
    expect(created.status).toBe(201);
    const job = (await created.json()) as Loose;

    for (const id of [dataset, validation]) {
      const res = await api.call(`/v1/datasets/${id}`, { method: 'DELETE' });
      expect(res.status).toBe(409);
      const { error } = (await res.json()) as Loose;
      expect(error.code).toBe('dataset_in_use');
      expect(error.message).toContain(job.id);
      expect((await api.call(`/v1/datasets/${id}`)).status).toBe(200);
    }

    expect(
      (await api.call(`/v1/fine-tuning/jobs/${job.id}/cancel`, { method: 'POST' })).status,
    ).toBe(200);
    expect(await untilEnded(api, job.id)).toMatchObject({ status: 'cancelled' });
    expect((await api.call(`/v1/datasets/${dataset}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api.call(`/v1/datasets/${dataset}`)).status).toBe(404);
  });
});

describe('a job created while its dataset is deleted', () => {
  it('is never accepted for a dataset that the delete then removes', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const dataset = await irisDataset(api.call);
      const [created, deleted] = await Promise.all([
        api.post('/v1/fine-tuning/jobs', {
          dataset,
          model_name: 'fixture mode=succeed ms=200',
          hyperparameters: { epochs: 200 },
        }),
        api.call(`/v1/datasets/${dataset}`, { method: 'DELETE' }),
      ]);
      outcomes.push(`${created.status}/${deleted.status}`);
      // Never both: a job accepted (201) while its dataset is deleted (200) fails later with
      // dataset_not_found, which is what a user saw before the delete wrote its tombstone first.
      expect([created.status, deleted.status]).not.toEqual([201, 200]);
      if (created.status === 201) {
        const job = (await created.json()) as Loose;
        expect((await api.call(`/v1/datasets/${dataset}`)).status).toBe(200);
        await api.call(`/v1/fine-tuning/jobs/${job.id}/cancel`, { method: 'POST' });
        await untilEnded(api, job.id);
      } else {
        expect(created.status).toBe(404);
        expect(((await created.json()) as Loose).error).toMatchObject({
          code: 'dataset_not_found',
          param: 'body.dataset',
        });
      }
    }
    console.log(`job create / dataset delete, raced: ${outcomes.join(' ')}`);
  });
});

describe('a webhook to an internal address', () => {
  let strict: JobsApi;
  beforeAll(async () => {
    // No OUTBOUND_ALLOW: as npm start runs by default.
    strict = await startJobsApi({}, { OUTBOUND_ALLOW: '' });
  }, 60_000);
  afterAll(() => strict.close());

  it('is refused at creation (422 outbound_refused on body.webhook.url), creating nothing', async () => {
    const dataset = await irisDataset(strict.call);
    for (const url of ['http://0x7f000001:18987/x', 'http://127.0.0.1:9/x', 'http://[::1]/x']) {
      const res = await strict.post('/v1/fine-tuning/jobs', {
        dataset,
        model_name: 'fixture mode=succeed ms=20',
        webhook: { url },
      });
      expect(res.status).toBe(422);
      expect(((await res.json()) as Loose).error).toMatchObject({
        code: 'outbound_refused',
        param: 'body.webhook.url',
      });
    }
    const list = (await (await strict.call('/v1/fine-tuning/jobs')).json()) as Loose;
    expect(list.data).toEqual([]);
  });
});
