import { testConfig } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStallProxy } from '../support/s3-stall-proxy';
import { platformHarness } from './platform-support';
import { irisDataset, type Loose, readSse, untilEnded, untilStalled } from './support';

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
    // The trainers of a platform of their own talk to S3 through a proxy that holds every
    // request after the third checkpoint's state.json: the kill lands there, mid-training,
    // however late this test gets to it on a loaded machine.
    const proxy = await startStallProxy(
      testConfig().s3.endpoint!,
      (method, path) =>
        method === 'PUT' && path.endsWith('/checkpoints/train-epoch-0003/state.json'),
    );
    const crashing = await platformHarness({}, { LOCAL_TRAINER_S3_ENDPOINT: proxy.endpoint });
    try {
      await crashing.start();
      const call = crashing.call.bind(crashing);
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
      await untilStalled({ call }, id, proxy.stalled);
      const [pid] = crashing.platform.runner!.pidsOf(id);
      process.kill(pid!, 'SIGKILL');
      // Attempt 2 goes through the same proxy: let it pass once the runner has seen the kill.
      let events: Loose[] = [];
      while (!events.some((e) => e.type === 'job.retrying')) {
        await new Promise((r) => setTimeout(r, 100));
        events = (await json(await call(`${path}/events?limit=1000`))).data;
      }
      proxy.release();

      const job = await untilEnded({ call }, id, 240_000);
      expect(job).toMatchObject({ status: 'succeeded', attempts: 2 });
      events = (await json(await call(`${path}/events?limit=1000`))).data;
      expect(events.filter((e) => e.type === 'job.retrying').map((e) => e.data)).toEqual([
        { attempt: 2, reason: 'killed by SIGKILL' },
      ]);
      const second = events.findIndex((e) => e.type === 'job.started' && e.data.attempt === 2);
      const firstEpochAfter = events.slice(second).find((e) => e.type === 'epoch.completed');
      // Resumed after the third checkpoint, not from epoch 1; every epoch ran once.
      expect(firstEpochAfter.data.epoch).toBe(4);
      const ran = events.filter((e) => e.type === 'epoch.completed').map((e) => e.data.epoch);
      expect(ran).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
      expect(events.filter((e) => e.type === 'job.succeeded')).toHaveLength(1);
      const metrics = await json(await call(`${path}/metrics`));
      expect(metrics.data.map((m: Loose) => m.epoch)).toEqual(ran);
      const models = await json(await call('/v1/models?limit=100'));
      expect(models.data.filter((m: Loose) => m.job === id)).toHaveLength(1);
    } finally {
      await crashing.dispose();
      await proxy.close();
    }
  }, 300_000);
});
