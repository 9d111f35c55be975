import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keys, modelIdForJob, prefixes, verifyWebhook } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  irisDataset,
  type JobsApi,
  type Loose,
  readSse,
  startJobsApi,
  untilEnded,
} from './support';

// The fine-tuning-job API over real HTTP on the real S3 endpoint, with the local runner in the
// same process running the contract fixture (the real trainer is in train-e2e).

let api: JobsApi;
let dataset: string;
beforeAll(async () => {
  api = await startJobsApi();
  dataset = await irisDataset(api.call);
}, 60_000);
afterAll(() => api.close());

const json = (res: Response): Promise<Loose> => res.json();
const fixture = (mode = 'succeed', ms = 20) => `fixture mode=${mode} ms=${ms}`;
const createJob = (body: object, headers?: Record<string, string>) =>
  api.post('/v1/fine-tuning/jobs', { dataset, ...body }, headers);

async function jobCount(): Promise<number> {
  return (await api.runtime.storage.listPage(prefixes.jobs, { delimiter: '/' })).prefixes.length;
}

describe('POST /v1/fine-tuning/jobs', () => {
  it('creates a job with every default resolved, runs it, and publishes its model', async () => {
    const res = await createJob({ model_name: fixture(), hyperparameters: { epochs: 3 } });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created).toMatchObject({
      object: 'fine_tuning.job',
      status: 'queued',
      dataset,
      task: 'tabular_classification',
      base_model: null,
      hyperparameters: { epochs: 3, batch_size: 16, optimizer: 'adam', learning_rate: 0.001 },
      architecture: { type: 'mlp', head: { units: [64, 32] } },
      regularization: { dropout: 0.1 },
      webhook: null,
      result_model: null,
      error: null,
    });
    expect(created.id).toMatch(/^ftjob_/);
    expect(created.created_at).toBeGreaterThan(1.7e9);

    const job = await untilEnded(api, created.id);
    expect(job).toMatchObject({
      status: 'succeeded',
      result_model: modelIdForJob(created.id),
      attempts: 1,
      backend: 'fixture',
    });
    expect(job.finished_at).toBeGreaterThanOrEqual(job.started_at);

    const metrics = await json(await api.call(`/v1/fine-tuning/jobs/${created.id}/metrics`));
    expect(metrics.data.map((m: { epoch: number }) => m.epoch)).toEqual([1, 2, 3]);
    expect(metrics.data[2]).toMatchObject({ loss: 1 / 3, learning_rate: 0.001, trial: null });
    const checkpoints = await json(
      await api.call(`/v1/fine-tuning/jobs/${created.id}/checkpoints`),
    );
    expect(checkpoints.data.map((c: { name: string }) => c.name)).toEqual([
      'epoch-1',
      'epoch-2',
      'epoch-3',
    ]);
    expect(checkpoints.data[0].metrics).toEqual({ val_loss: 1.1 });

    const models = await json(await api.call('/v1/models'));
    expect(models.data.map((m: { id: string }) => m.id)).toContain(job.result_model);
    const model = await json(await api.call(`/v1/models/${job.result_model}`));
    expect(model).toMatchObject({ id: job.result_model, job: created.id, dataset, task: job.task });
  });

  it('replays the first answer for the same Idempotency-Key and body; another body is a 409', async () => {
    const before = await jobCount();
    const body = { model_name: fixture(), hyperparameters: { epochs: 1 } };
    const first = await createJob(body, { 'Idempotency-Key': 'job-once' });
    const again = await createJob(body, { 'Idempotency-Key': 'job-once' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(again)).id).toBe((await json(first)).id);
    const other = await createJob({ ...body, seed: 7 }, { 'Idempotency-Key': 'job-once' });
    expect(other.status).toBe(409);
    expect((await json(other)).error).toMatchObject({
      code: 'idempotency_key_reused',
      param: 'Idempotency-Key',
    });
    expect(await jobCount()).toBe(before + 1);
  });

  it('refuses bad specs with the field in param, and stores nothing', async () => {
    const notReady = await json(
      await api.post('/v1/datasets', {
        name: 'empty',
        task: 'text_classification',
        format: 'jsonl',
      }),
    );
    await api.runtime.storage.putJson(keys.modelManifest('model_0images'), {
      id: 'model_0images',
      object: 'model',
      name: 'digits',
      task: 'image_classification',
      created_at: 0,
      job: 'ftjob_0images',
      dataset: 'ds_0images',
      base_model: null,
      format: 'tfjs-layers',
      files: [],
    });
    await api.runtime.storage.putJson(keys.baseModelRecord('bm_0images'), {
      id: 'bm_0images',
      object: 'base_model',
      name: 'mobilenet',
      task: 'image_classification',
      input_shape: [224, 224, 3],
      source: { url: 'https://example.com/model.json' },
      location: 'base-models/bm_0images/',
      bytes: 1,
      layers: 1,
      status: 'ready',
      created_at: 0,
    });
    const before = await jobCount();
    const cases: Array<[object, number, string, string]> = [
      [{ dataset: 'ds_0nothing' }, 404, 'dataset_not_found', 'body.dataset'],
      [{ dataset: notReady.id }, 422, 'dataset_not_ready', 'body.dataset'],
      [{ dataset: 'iris.csv' }, 400, 'invalid_request', 'body.dataset'],
      [
        { hyperparameters: { epochs: 5000 } },
        400,
        'invalid_request',
        'body.hyperparameters.epochs',
      ],
      [{ hyperparameters: { eposh: 5 } }, 400, 'invalid_request', 'body.hyperparameters.eposh'],
      [{ base_model: 'bm_0missing' }, 404, 'base_model_not_found', 'body.base_model'],
      [{ base_model: 'model_0images' }, 422, 'base_model_mismatch', 'body.base_model'],
      [{ base_model: 'bm_0images' }, 422, 'base_model_mismatch', 'body.base_model'],
      [{ base_model: 'bm_mobilenetv2' }, 422, 'base_model_mismatch', 'body.base_model'],
      [{ architecture: { type: 'transfer' } }, 400, 'invalid_request', 'body.base_model'],
      [{ architecture: { type: 'lstm' } }, 400, 'invalid_request', 'body.architecture.type'],
      [{ augmentation: { zoom: 0.2 } }, 400, 'invalid_request', 'body.augmentation'],
      [
        {
          tuning: {
            search_space: { 'hyperparameters.colour': { type: 'choice', values: ['red'] } },
          },
        },
        400,
        'unknown_search_space_path',
        'body.tuning.search_space.hyperparameters.colour',
      ],
      [{ webhook: { url: 'ftp://example.com/hook' } }, 400, 'invalid_request', 'body.webhook.url'],
    ];
    for (const [body, status, code, param] of cases) {
      const res = await createJob(body);
      const { error } = await json(res);
      expect({ body, status: res.status, code: error.code, param: error.param }).toEqual({
        body,
        status,
        code,
        param,
      });
      expect(error.message.length).toBeGreaterThan(10);
    }
    expect(await jobCount()).toBe(before);
  });
});

describe('following a job', () => {
  it('streams its events as SSE to the end, resumes from Last-Event-ID, then answers 204', async () => {
    const { id } = await json(
      await createJob({ model_name: fixture('succeed', 100), hyperparameters: { epochs: 3 } }),
    );
    const res = await api.call(`/v1/fine-tuning/jobs/${id}/events`, {
      headers: { Accept: 'text/event-stream' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const messages = await readSse(res);
    const end = messages.at(-1)!;
    expect(end).toEqual({ event: 'end', data: JSON.stringify({ status: 'succeeded' }) });
    const events = messages.slice(0, -1).map((m) => ({ id: m.id, ...JSON.parse(m.data) }));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['job.created', 'job.queued', 'job.submitted']);
    expect(types).toContain('job.started');
    expect(types.filter((t) => t === 'epoch.completed')).toHaveLength(3);
    expect(types).toContain('job.succeeded');
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort());
    expect(messages.slice(0, -1).every((m, i) => m.id === events[i]!.id)).toBe(true);

    // A reconnect resumes after the last event it saw.
    const third = events[2]!.id;
    const resumed = await readSse(
      await api.call(`/v1/fine-tuning/jobs/${id}/events`, {
        headers: { Accept: 'text/event-stream', 'Last-Event-ID': third },
      }),
    );
    expect(resumed[0]!.id).toBe(events[3]!.id);
    expect(resumed.at(-1)!.event).toBe('end');

    // The JSON list pages through the same events with after/limit.
    const page = await json(await api.call(`/v1/fine-tuning/jobs/${id}/events?limit=2`));
    expect(page.data.map((e: { id: string }) => e.id)).toEqual([events[0]!.id, events[1]!.id]);
    expect(page).toMatchObject({ has_more: true, last_id: events[1]!.id });
    const next = await json(
      await api.call(`/v1/fine-tuning/jobs/${id}/events?after=${page.last_id}&limit=1`),
    );
    expect(next.data[0].id).toBe(events[2]!.id);

    // After the end, with nothing new: 204 tells EventSource not to reconnect.
    const all = await json(await api.call(`/v1/fine-tuning/jobs/${id}/events?limit=1000`));
    const done = await api.call(`/v1/fine-tuning/jobs/${id}/events`, {
      headers: { Accept: 'text/event-stream', 'Last-Event-ID': all.last_id },
    });
    expect(done.status).toBe(204);

    // A cursor that is no event id is a 400 naming it, not an empty page or a silent 204.
    const garbage = await api.call(`/v1/fine-tuning/jobs/${id}/events`, {
      headers: { Accept: 'text/event-stream', 'Last-Event-ID': 'garbage' },
    });
    expect(garbage.status).toBe(400);
    const refused = (await json(garbage)).error;
    expect(refused.param).toBe('header.last-event-id');
    expect(refused.message).toContain('received "garbage"');
    const badAfter = await api.call(`/v1/fine-tuning/jobs/${id}/events?after=12`);
    expect(badAfter.status).toBe(400);
    const error = (await json(badAfter)).error;
    expect(error.param).toBe('query.after');
    expect(error.message).toContain('received "12"');
  });

  it('answers 404 for a job that does not exist, on every job route', async () => {
    for (const path of ['', '/events', '/metrics', '/checkpoints', '/trials']) {
      const res = await api.call(`/v1/fine-tuning/jobs/ftjob_0nothing${path}`);
      expect(res.status).toBe(404);
      expect((await json(res)).error).toMatchObject({ code: 'job_not_found', param: 'id' });
    }
  });

  it('shows trials from the trial events', async () => {
    const { id } = await json(
      await createJob({ model_name: fixture(), hyperparameters: { epochs: 1 } }),
    );
    await untilEnded(api, id);
    const trainer = api.store.log;
    const w = { attempt: 1, worker: 'w0' };
    await trainer.append(id, {
      type: 'trial.started',
      message: 't0',
      data: { number: 0, params: { 'regularization.dropout': 0.2 }, ...w },
    });
    await trainer.append(id, {
      type: 'trial.started',
      message: 't1',
      data: { number: 1, params: { 'regularization.dropout': 0.4 }, ...w },
    });
    for (const epoch of [1, 2]) {
      await trainer.append(id, {
        type: 'trial.reported',
        message: 'r',
        data: { number: 0, step: epoch, value: 0.5 / epoch, ...w },
      });
    }
    await trainer.append(id, {
      type: 'trial.reported',
      message: 'r',
      data: { number: 1, step: 1, value: 0.9, ...w },
    });
    await trainer.append(id, { type: 'trial.pruned', message: 'p', data: { number: 1, ...w } });
    await trainer.append(id, {
      type: 'trial.completed',
      message: 'c',
      data: { number: 0, value: 0.25, ...w },
    });
    await trainer.append(id, {
      type: 'study.best',
      message: 'b',
      data: { number: 0, value: 0.25, params: { 'regularization.dropout': 0.2 } },
    });
    const trials = await json(await api.call(`/v1/fine-tuning/jobs/${id}/trials`));
    expect(trials.best).toBe(0);
    expect(
      trials.data.map((t: Record<string, unknown>) => [
        t.number,
        t.status,
        t.objective,
        t.epochs,
        t.pruned,
      ]),
    ).toEqual([
      [0, 'completed', 0.25, 2, false],
      [1, 'pruned', null, 1, true],
    ]);
    expect(trials.data[0].params).toEqual({ 'regularization.dropout': 0.2 });
    const job = await json(await api.call(`/v1/fine-tuning/jobs/${id}`));
    expect(job.trials).toEqual({ total: 2, completed: 2, best: 0 });
  });

  it('lists jobs oldest first, page by page', async () => {
    const first = await json(await api.call('/v1/fine-tuning/jobs?limit=1'));
    expect(first).toMatchObject({ has_more: true });
    expect(first.data).toHaveLength(1);
    const second = await json(
      await api.call(`/v1/fine-tuning/jobs?limit=100&after=${first.last_id}`),
    );
    expect(second.data[0].id > first.last_id).toBe(true);
    const ids = [first.last_id, ...second.data.map((j: { id: string }) => j.id)];
    expect(ids).toEqual([...ids].sort());
    expect(second.has_more).toBe(false);
  });
});

describe('cancel', () => {
  it('stops a running job: cancelled, no model; again is fine; a finished job is a 409', async () => {
    const { id } = await json(
      await createJob({ model_name: fixture('succeed', 1000), hyperparameters: { epochs: 60 } }),
    );
    for (let i = 0; i < 100; i++) {
      if ((await json(await api.call(`/v1/fine-tuning/jobs/${id}`))).status === 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const res = await api.post(`/v1/fine-tuning/jobs/${id}/cancel`, {});
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      status: 'cancelled',
      cancel_requested: true,
      result_model: null,
    });
    expect(await api.runtime.storage.exists(keys.modelManifest(modelIdForJob(id)))).toBe(false);
    expect((await json(await api.post(`/v1/fine-tuning/jobs/${id}/cancel`, {}))).status).toBe(
      'cancelled',
    );

    const done = await json(
      await createJob({ model_name: fixture(), hyperparameters: { epochs: 1 } }),
    );
    await untilEnded(api, done.id);
    const late = await api.post(`/v1/fine-tuning/jobs/${done.id}/cancel`, {});
    expect(late.status).toBe(409);
    expect((await json(late)).error.code).toBe('job_finished');
  });
});

describe('webhooks', () => {
  let receiver: Server;
  const deliveries: Array<{ signature: string; body: string }> = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        deliveries.push({ signature: String(req.headers['trainyard-signature']), body });
        res.writeHead(deliveries.length === 1 ? 502 : 204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise((r) => receiver.close(r)));

  it('returns the secret once, and signs the delivery when the job ends (retrying a 502)', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/trainyard`;
    const created = await json(
      await createJob({ model_name: fixture(), hyperparameters: { epochs: 1 }, webhook: { url } }),
    );
    expect(created.webhook).toEqual({
      url,
      events: ['succeeded', 'failed', 'cancelled'],
      secret: expect.stringMatching(/^whsec_[0-9a-f]{64}$/),
    });
    const shown = await json(await api.call(`/v1/fine-tuning/jobs/${created.id}`));
    expect(shown.webhook).toEqual({ url, events: ['succeeded', 'failed', 'cancelled'] });
    expect(
      JSON.stringify(
        await json(await api.call(`/v1/fine-tuning/jobs/${created.id}/events?limit=1000`)),
      ),
    ).not.toContain(created.webhook.secret);

    await untilEnded(api, created.id);
    for (let i = 0; i < 300 && deliveries.length < 2; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries) {
      expect(verifyWebhook(created.webhook.secret, d.signature, d.body)).toBe(true);
    }
    const payload = JSON.parse(deliveries[1]!.body);
    expect(payload).toMatchObject({
      type: 'fine_tuning.job.succeeded',
      data: { id: created.id, status: 'succeeded', result_model: modelIdForJob(created.id) },
    });
    const events = await json(
      await api.call(`/v1/fine-tuning/jobs/${created.id}/events?limit=1000`),
    );
    const hooks = events.data.filter((e: { type: string }) => e.type.startsWith('webhook.'));
    expect(
      hooks.map((e: { type: string; data: { status_code: number } }) => [
        e.type,
        e.data.status_code,
      ]),
    ).toEqual([
      ['webhook.failed', 502],
      ['webhook.delivered', 204],
    ]);
  });
});

describe('models', () => {
  it('deletes every object of a model; then it is 404 everywhere', async () => {
    const { id } = await json(
      await createJob({ model_name: fixture(), hyperparameters: { epochs: 1 } }),
    );
    const model = (await untilEnded(api, id)).result_model as string;
    const res = await api.call(`/v1/models/${model}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ id: model, object: 'model', deleted: true });
    expect((await api.runtime.storage.listPage(keys.model(model))).objects).toEqual([]);
    expect((await api.call(`/v1/models/${model}`)).status).toBe(404);
    expect((await api.call(`/v1/models/${model}`, { method: 'DELETE' })).status).toBe(404);
    const list = await json(await api.call('/v1/models?limit=100'));
    expect(list.data.map((m: { id: string }) => m.id)).not.toContain(model);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = await json(await fetch(`${api.url}/openapi.json`));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/fine-tuning/jobs',
        '/v1/fine-tuning/jobs/{id}',
        '/v1/fine-tuning/jobs/{id}/cancel',
        '/v1/fine-tuning/jobs/{id}/events',
        '/v1/fine-tuning/jobs/{id}/metrics',
        '/v1/fine-tuning/jobs/{id}/checkpoints',
        '/v1/fine-tuning/jobs/{id}/trials',
        '/v1/models',
        '/v1/models/{id}',
      ]),
    );
  });
});
