import type { AddressInfo } from 'node:net';
import { startApiServer } from '@trainyard/api';
import { jobSpecSchema, keys, newId } from '@trainyard/shared';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisDataset, type JobsApi, type Loose, startJobsApi } from '../jobs/support';

// Per-project limits over real HTTP on the embedded S3 store, with a local runner running the
// contract fixture: PROJECT_MAX_ACTIVE_JOBS (jobs queued or running) and PROJECT_MAX_STORED_BYTES
// (bytes of dataset files), set low enough to reach. The default project is filled up; project
// `team-b` goes on unaffected.

const MAX_JOBS = 2;
const MAX_BYTES = 20_000;

let api: JobsApi;
let callB: JobsApi['call'];
let operator: string;
const datasets = { a: '', b: '' };

const json = (res: Response): Promise<Loose> => res.json();
const postWith = (call: JobsApi['call'], path: string, body: unknown) =>
  call(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
/** A job that runs (or waits in the queue) for minutes unless cancelled. */
const longJob = (dataset: string) => ({
  dataset,
  model_name: 'fixture mode=succeed ms=60000',
  hyperparameters: { epochs: 10, early_stopping: null },
});

beforeAll(async () => {
  api = await startJobsApi(
    {},
    { PROJECT_MAX_ACTIVE_JOBS: String(MAX_JOBS), PROJECT_MAX_STORED_BYTES: String(MAX_BYTES) },
  );
  operator = (await api.runtime.apiKeys.create('operator', { operator: true })).secret;
  callB = caller(api.url, await projectKey('team-b'));
  datasets.a = await irisDataset(api.call);
  datasets.b = await irisDataset(callB);
});

/** Creates `project` (as the operator) and answers its first admin key. */
async function projectKey(project: string): Promise<string> {
  const created = await fetch(`${api.url}/v1/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: project }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  return (await json(created)).admin_key.secret;
}

/** A `call` to the API at `url` with `secret`. */
function caller(url: string, secret: string): JobsApi['call'] {
  return (path, init = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${secret}`, ...init.headers },
    });
}

afterAll(async () => {
  // End whatever still waits or runs, so that the runner stops at once.
  for (const call of [api.call, callB]) {
    const { data } = await json(await call('/v1/fine-tuning/jobs?limit=100'));
    for (const job of data as Array<{ id: string; status: string }>) {
      if (!['succeeded', 'failed', 'cancelled'].includes(job.status))
        await postWith(call, `/v1/fine-tuning/jobs/${job.id}/cancel`, {});
    }
  }
  await api.close();
});

describe('PROJECT_MAX_ACTIVE_JOBS', () => {
  it('refuses a job past the limit with 429 and Retry-After; plans, other projects and jobs after a cancel go on', async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX_JOBS; i++) {
      const res = await api.post('/v1/fine-tuning/jobs', longJob(datasets.a));
      expect(res.status, await res.clone().text()).toBe(201);
      ids.push((await json(res)).id);
    }

    const refused = await api.post('/v1/fine-tuning/jobs', longJob(datasets.a));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { error } = await json(refused);
    expect(error.code).toBe('too_many_active_jobs');
    expect(error.message).toContain(`has ${MAX_JOBS} jobs queued or running`);
    expect(error.message).toContain(`at most ${MAX_JOBS} at once (PROJECT_MAX_ACTIVE_JOBS)`);
    // Nothing was stored for the refused job.
    const listed = await json(await api.call('/v1/fine-tuning/jobs?limit=100'));
    expect(listed.data.map((j: { id: string }) => j.id)).toEqual(ids);

    // The plan writes nothing and is not limited.
    const plan = await api.post('/v1/fine-tuning/jobs/plan', longJob(datasets.a));
    expect(plan.status, await plan.clone().text()).toBe(200);

    // Another project has its own count.
    const other = await postWith(callB, '/v1/fine-tuning/jobs', longJob(datasets.b));
    expect(other.status, await other.clone().text()).toBe(201);

    // Once a job has ended (cancelled here), the project has room again, for one.
    const cancelled = await api.post(`/v1/fine-tuning/jobs/${ids[1]}/cancel`, {});
    expect((await json(cancelled)).status).toBe('cancelled');
    const again = await api.post('/v1/fine-tuning/jobs', longJob(datasets.a));
    expect(again.status, await again.clone().text()).toBe(201);
    expect((await api.post('/v1/fine-tuning/jobs', longJob(datasets.a))).status).toBe(429);
  });

  it('does not count a create cut short (a spec without events) once it is a minute old', async () => {
    // The project is at its limit (above). A process that died between writing a job's spec and
    // its first event left one behind, two minutes ago: it never runs and must not hold a slot.
    const { data } = await json(await api.call('/v1/fine-tuning/jobs?limit=100'));
    const running = (data as Array<{ id: string; status: string }>).filter(
      (j) => j.status !== 'cancelled',
    );
    expect(running).toHaveLength(MAX_JOBS);
    const spec = await api.runtime.storage.getJson(keys.jobSpec(running[0]!.id), jobSpecSchema);
    const stale = newId('ftjob', Date.now() - 120_000);
    await api.runtime.storage.putJson(keys.jobSpec(stale), { ...spec, id: stale });
    // Cancel one: exactly one slot is free, whatever the stale spec.
    await api.post(`/v1/fine-tuning/jobs/${running[1]!.id}/cancel`, {});
    const taken = await api.post('/v1/fine-tuning/jobs', longJob(datasets.a));
    expect(taken.status, await taken.clone().text()).toBe(201);
    expect((await api.post('/v1/fine-tuning/jobs', longJob(datasets.a))).status).toBe(429);

    // A fresh one (a create under way elsewhere) does count: cancel a job, and the slot is its.
    const fresh = newId('ftjob');
    await api.runtime.storage.putJson(keys.jobSpec(fresh), { ...spec, id: fresh });
    await api.post(`/v1/fine-tuning/jobs/${(await json(taken)).id}/cancel`, {});
    expect((await api.post('/v1/fine-tuning/jobs', longJob(datasets.a))).status).toBe(429);
  });

  it('holds across API processes: two servers taking jobs of one project at once admit the limit, no more', async () => {
    // A second API server on the same bucket, with its own in-memory state, as a second Lambda
    // instance or a second `npm start` behind a load balancer has.
    const second = await startApiServer({ ...api.runtime, queue: api.runner }, 0);
    try {
      const secondUrl = `http://127.0.0.1:${(second.address() as AddressInfo).port}`;
      const secret = await projectKey('team-c');
      const callers = [caller(api.url, secret), caller(secondUrl, secret)];
      const dataset = await irisDataset(callers[0]!);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          postWith(callers[i % 2]!, '/v1/fine-tuning/jobs', longJob(dataset)),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 201, 429, 429, 429, 429]);
      const listed = await json(await callers[1]!('/v1/fine-tuning/jobs?limit=100'));
      expect(listed.data).toHaveLength(MAX_JOBS);
    } finally {
      await new Promise<void>((resolve) => second.close(() => resolve()));
    }
  });
});

describe('PROJECT_MAX_STORED_BYTES', () => {
  const create = (call: JobsApi['call'], size?: number) =>
    postWith(call, '/v1/datasets', {
      name: 'more',
      task: 'tabular_classification',
      format: 'csv',
      label_column: 'species',
      ...(size !== undefined ? { size_bytes: size } : {}),
    });
  const held = async (call: JobsApi['call']) => {
    const { data } = await json(await call('/v1/datasets?limit=100'));
    return (data as Array<{ file: { bytes: number } | null; size_bytes: number | null }>).reduce(
      (sum, d) => sum + (d.file?.bytes ?? d.size_bytes ?? 0),
      0,
    );
  };

  it('refuses a dataset whose declared size would pass the cap (422 naming the figures); another project is unaffected', async () => {
    const before = await held(api.call);
    expect(before).toBeGreaterThan(0); // iris
    const room = MAX_BYTES - before;
    const over = await create(api.call, room + 1);
    expect(over.status).toBe(422);
    const { error } = await json(over);
    expect(error.code).toBe('project_storage_full');
    expect(error.param).toBe('body.size_bytes');
    expect(error.message).toContain(`holds ${before} bytes`);
    expect(error.message).toContain(`${room + 1} more would make ${MAX_BYTES + 1}`);
    expect(error.message).toContain(`${MAX_BYTES} bytes (PROJECT_MAX_STORED_BYTES)`);
    expect(await held(api.call)).toBe(before); // nothing was stored

    const fits = await create(api.call, room);
    expect(fits.status, await fits.clone().text()).toBe(201);
    expect(await held(api.call)).toBe(MAX_BYTES);
    expect((await create(api.call, 1)).status).toBe(422);

    // Team B holds only its own iris.
    const otherFits = await create(callB, 10_000);
    expect(otherFits.status, await otherFits.clone().text()).toBe(201);
  });

  it('refuses to complete an upload whose actual size passes the cap; deleting a dataset makes room', async () => {
    const before = await held(callB);
    const { header, rows } = iris();
    const file = toCsv(header, [...rows, ...rows, ...rows, ...rows]);
    const size = Buffer.byteLength(file);
    expect(before + size).toBeGreaterThan(MAX_BYTES);

    const { id } = await json(await create(callB)); // no size declared
    const put = await callB(`/v1/datasets/${id}/file`, { method: 'PUT', body: file });
    expect(put.status, await put.clone().text()).toBe(200);
    const refused = await callB(`/v1/datasets/${id}/complete`, { method: 'POST' });
    expect(refused.status).toBe(422);
    const { error } = await json(refused);
    expect(error.code).toBe('project_storage_full');
    expect(error.message).toContain(
      `holds ${before} bytes of datasets; ${size} more would make ${before + size}, past its ${MAX_BYTES} bytes`,
    );
    expect((await json(await callB(`/v1/datasets/${id}`))).status).toBe('awaiting_upload');

    // Deleting the 10,000 bytes declared above leaves room for the file.
    const { data } = await json(await callB('/v1/datasets?limit=100'));
    const declared = (data as Array<{ id: string; size_bytes: number | null }>).find(
      (d) => d.size_bytes === 10_000,
    );
    expect((await callB(`/v1/datasets/${declared!.id}`, { method: 'DELETE' })).status).toBe(200);
    const done = await callB(`/v1/datasets/${id}/complete`, { method: 'POST' });
    expect(done.status, await done.clone().text()).toBe(200);
    expect((await json(done)).status).toBe('ready');
  });
});
