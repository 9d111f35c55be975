import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from './platform-support';
import { irisDataset, type Loose, readSse } from './support';

// End to end with the real trainer (jobs/train/src/main.ts) as `npm start` runs it: upload a
// real dataset over HTTP, create a job, follow it by Server-Sent Events to its end, and find
// the model listed with its metrics. Real S3 endpoint, real child process, nothing mocked.

let harness: Awaited<ReturnType<typeof platformHarness>>;
beforeAll(async () => {
  harness = await platformHarness();
  await harness.start();
});
afterAll(() => harness.dispose());

const json = (res: Response): Promise<Loose> => res.json();

describe('fine-tuning end to end (real trainer)', () => {
  it('iris: upload → job → SSE to succeeded → model listed with its metrics', async () => {
    const call = harness.call.bind(harness);
    const dataset = await irisDataset(call);
    const epochs = 30;
    const created = await call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset,
        model_name: 'iris-e2e',
        hyperparameters: { epochs, learning_rate: 0.01, early_stopping: null },
      }),
    });
    expect(created.status).toBe(201);
    const { id } = await json(created);

    const stream = await call(`/v1/fine-tuning/jobs/${id}/events`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const messages = await readSse(stream);
    expect(messages.at(-1)).toEqual({ event: 'end', data: '{"status":"succeeded"}' });
    const events = messages.slice(0, -1).map((m) => JSON.parse(m.data));
    const types = events.map((e) => e.type);
    expect(types).toContain('job.started');
    const backend = events.find((e) => e.type === 'job.backend');
    expect(backend.data.backend).toMatch(/^(tensorflow|wasm|cpu)/);
    expect(types.filter((t) => t === 'epoch.completed')).toHaveLength(epochs);
    expect(types).toContain('checkpoint.saved');
    const succeeded = events.find((e) => e.type === 'job.succeeded');

    const job = await json(await call(`/v1/fine-tuning/jobs/${id}`));
    expect(job).toMatchObject({ status: 'succeeded', result_model: succeeded.data.model });
    const metrics = await json(await call(`/v1/fine-tuning/jobs/${id}/metrics`));
    expect(metrics.data).toHaveLength(epochs);
    expect(metrics.data.at(-1).val_accuracy).toBeGreaterThan(0.8);

    const models = await json(await call('/v1/models'));
    expect(models.data.map((m: { id: string }) => m.id)).toContain(job.result_model);
    const model = await json(await call(`/v1/models/${job.result_model}`));
    expect(model).toMatchObject({ job: id, dataset, task: 'tabular_classification' });
    expect(model.metrics.accuracy).toBeGreaterThan(0.8);
    expect(model.metrics.labels.sort()).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(model.card).toMatchObject({ job: id, epochs_run: epochs });
    // What it takes and answers, as docs/API.md promises the card shows: no need to download it.
    expect(model.input).toEqual({
      kind: 'table',
      columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name) => ({
        name,
        type: 'numeric',
      })),
    });
    expect([...model.labels].sort()).toEqual(['setosa', 'versicolor', 'virginica']);
  }, 300_000);

  it('iris: kill -9 of the trainer mid-training → attempt 2 resumes from the checkpoint → one model', async () => {
    const call = harness.call.bind(harness);
    const dataset = await irisDataset(call);
    const epochs = 40;
    const created = await call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        dataset,
        model_name: 'iris-crash',
        hyperparameters: { epochs, early_stopping: null },
      }),
    });
    const { id } = await json(created);
    const path = `/v1/fine-tuning/jobs/${id}`;
    let checkpoints: Loose[] = [];
    for (let i = 0; i < 1200 && checkpoints.length < 3; i++) {
      checkpoints = (await json(await call(`${path}/checkpoints`))).data;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [pid] = harness.platform.runner!.pidsOf(id);
    process.kill(pid!, 'SIGKILL');

    let job: Loose;
    for (let i = 0; i < 1200; i++) {
      job = await json(await call(path));
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
    const events = (await json(await call(`${path}/events?limit=1000`))).data as Loose[];
    expect(events.filter((e) => e.type === 'job.retrying').map((e) => e.data)).toEqual([
      { attempt: 2, reason: 'killed by SIGKILL' },
    ]);
    const second = events.findIndex((e) => e.type === 'job.started' && e.data.attempt === 2);
    const firstEpochAfter = events.slice(second).find((e) => e.type === 'epoch.completed');
    // Resumed after a saved checkpoint, not from epoch 1.
    expect(firstEpochAfter.data.epoch).toBeGreaterThan(checkpoints.length);
    const ran = events.filter((e) => e.type === 'epoch.completed').map((e) => e.data.epoch);
    expect(new Set(ran).size).toBe(epochs);
    expect(ran.length).toBeLessThanOrEqual(epochs + 1); // at most the epoch the kill cut off
    expect(events.filter((e) => e.type === 'job.succeeded')).toHaveLength(1);
    const models = await json(await call('/v1/models?limit=100'));
    expect(models.data.filter((m: Loose) => m.job === id)).toHaveLength(1);
  }, 300_000);
});
