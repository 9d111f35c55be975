import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BadRequestError,
  InternalServerError,
  NotFoundError,
  Trainyard,
  type UploadProgress,
  verifyWebhook,
} from '@trainyard/sdk';
import { signWebhook } from '@trainyard/shared';
import { iris, toCsv } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformHarness } from '../jobs/platform-support';
import { startProxy } from './proxy';

// The SDK against `npm start`'s platform in this process (API, inference, local runner with the
// real trainer), over real HTTP and the real S3 endpoint. Uploads through the API stop at 1 MiB
// and files over 5 MiB go multipart, so every upload route is taken with small files.

const MiB = 1024 * 1024;
let harness: Awaited<ReturnType<typeof platformHarness>>;
let ty: Trainyard;
const irisCsv = () => {
  const { header, rows } = iris();
  return new Blob([toCsv(header, rows)], { type: 'text/csv' });
};
const irisSpec = {
  name: 'iris',
  task: 'tabular_classification',
  format: 'csv',
  label_column: 'species',
} as const;

beforeAll(async () => {
  harness = await platformHarness(
    {},
    { API_UPLOAD_MAX_BYTES: String(MiB), API_MULTIPART_THRESHOLD_BYTES: String(5 * MiB) },
  );
  const platform = await harness.start();
  ty = new Trainyard({
    baseUrl: platform.apiUrl,
    inferUrl: platform.inferUrl,
    apiKey: platform.apiKey.secret,
  });
});
afterAll(() => harness.dispose());

/** A CSV of about `bytes` bytes that validates: iris rows with a long free-text column. */
function bigCsv(bytes: number): Blob {
  const { rows } = iris();
  const lines = ['sepal_length,sepal_width,petal_length,petal_width,note,species'];
  let size = lines[0]!.length + 1;
  for (let i = 0; size < bytes; i++) {
    const [a, b, c, d, species] = rows[i % rows.length]!;
    const line = `${a},${b},${c},${d},note ${i} ${'x'.repeat(200)},${species}`;
    lines.push(line);
    size += line.length + 1;
  }
  return new Blob([`${lines.join('\n')}\n`]);
}

describe('errors', () => {
  it('a 404 is a NotFoundError with the server code and request id', async () => {
    const error = await ty.datasets.get('ds_missing').catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: expect.any(String) });
    expect(error.requestId).toMatch(/.+/);
    expect(error.message).toContain('ds_missing');
  });

  it('a 400 is a BadRequestError naming the param', async () => {
    const error = await ty.datasets
      .create({ ...irisSpec, label_column: undefined })
      .catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'body.label_column' });
  });
});

describe('lists', () => {
  it('for await walks every page', async () => {
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push((await ty.datasets.create({ ...irisSpec, name: `p${i}` })).id);
    const first = await ty.datasets.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.has_more).toBe(true);
    let pages = 0;
    for await (const _ of ty.datasets.list({ limit: 2 }).pages()) pages++;
    expect(pages).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    for await (const dataset of ty.datasets.list({ limit: 2 })) seen.push(dataset.id);
    expect(seen).toEqual(expect.arrayContaining(made));
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe('uploads', () => {
  it('a small file goes through the API', async () => {
    const created = await ty.datasets.create(irisSpec);
    const progress: UploadProgress[] = [];
    const uploaded = await ty.datasets.upload(created, irisCsv(), {
      onProgress: (p) => progress.push(p),
    });
    expect(uploaded.route).toBe('api');
    expect(progress.at(-1)).toEqual({ loaded: irisCsv().size, total: irisCsv().size });
    const dataset = await ty.datasets.complete(created.id, uploaded);
    expect(dataset.status).toBe('ready');
    expect(dataset.report?.stats?.examples).toBe(150);
  });

  it('a file over the API cap goes to the presigned URL', async () => {
    const file = bigCsv(2 * MiB);
    const created = await ty.datasets.create({ ...irisSpec, size_bytes: file.size });
    const uploaded = await ty.datasets.upload(created, file);
    expect(uploaded.route).toBe('put');
    const dataset = await ty.datasets.complete(created.id, uploaded);
    expect(dataset).toMatchObject({ status: 'ready', file: { bytes: file.size } });
  });

  it('a file over 5 MiB goes multipart, parts in parallel, with progress', async () => {
    const file = bigCsv(9 * MiB);
    const progress: UploadProgress[] = [];
    const dataset = await ty.datasets.createFromFile({ ...irisSpec, name: 'big' }, file, {
      onProgress: (p) => progress.push(p),
    });
    expect(dataset).toMatchObject({ status: 'ready', file: { bytes: file.size } });
    expect(dataset.report?.stats?.examples).toBeGreaterThan(30_000);
    // 0, one call per part (two parts of at most 8 MiB), the last one at the total.
    expect(progress[0]).toEqual({ loaded: 0, total: file.size });
    expect(progress.length).toBe(3);
    expect(progress.at(-1)).toEqual({ loaded: file.size, total: file.size });
  }, 120_000);
});

describe('retries', () => {
  it('a 503 with Retry-After is retried after the wait the server asked for', async () => {
    const proxy = await startProxy(harness.platform.apiUrl, (_req, i) =>
      i === 0
        ? { kind: 'answer', status: 503, headers: { 'retry-after': '1' }, body: '{}' }
        : { kind: 'pass' },
    );
    try {
      const client = new Trainyard({ baseUrl: proxy.url, apiKey: harness.platform.apiKey.secret });
      const started = Date.now();
      const page = await client.datasets.list({ limit: 1 });
      expect(page.data).toHaveLength(1);
      expect(proxy.seen).toHaveLength(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    } finally {
      await proxy.close();
    }
  });

  it('with maxRetries 0 the 503 is an InternalServerError', async () => {
    const proxy = await startProxy(harness.platform.apiUrl, () => ({
      kind: 'answer',
      status: 503,
      body: JSON.stringify({
        error: { code: 'unavailable', message: 'S3 is down', request_id: 'r1' },
      }),
    }));
    try {
      const client = new Trainyard({ baseUrl: proxy.url, maxRetries: 0 });
      const error = await client.jobs.get('ftjob_x').catch((e) => e);
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 503, code: 'unavailable', requestId: 'r1' });
      expect(proxy.seen).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('a job on iris', () => {
  let jobId: string;
  beforeAll(async () => {
    const dataset = await ty.datasets.createFromFile(irisSpec, irisCsv());
    const job = await ty.jobs.create({
      dataset: dataset.id,
      hyperparameters: { epochs: 5, learning_rate: 0.05 },
    });
    jobId = job.id;
  });

  it('follow resumes with Last-Event-ID after the connection drops mid-stream', async () => {
    const proxy = await startProxy(harness.platform.apiUrl, (req) =>
      req.headers.accept === 'text/event-stream' && !req.headers['last-event-id']
        ? { kind: 'cut-after-messages', messages: 2 }
        : { kind: 'pass' },
    );
    try {
      const client = new Trainyard({ baseUrl: proxy.url, apiKey: harness.platform.apiKey.secret });
      const followed = [];
      const stream = client.jobs.follow(jobId, { reconnectDelayMs: 50 });
      for await (const event of stream) followed.push(event);
      const streams = proxy.seen.filter((r) => r.headers.accept === 'text/event-stream');
      expect(streams.length).toBeGreaterThanOrEqual(2);
      expect(streams[1]!.headers['last-event-id']).toBe(followed[1]!.id);
      const logged = await ty.jobs.events(jobId).toArray();
      expect(followed.map((e) => e.id)).toEqual(logged.map((e) => e.id));
      expect(followed.filter((e) => e.type === 'epoch.completed')).toHaveLength(5);
      expect(followed.at(-1)?.type).toBe('job.succeeded');
    } finally {
      await proxy.close();
    }
  }, 240_000);

  it('wait resolves the ended job, and its model predicts rows', async () => {
    const job = await ty.jobs.wait(jobId);
    expect(job.status).toBe('succeeded');
    const model = job.result_model!;
    const answer = await ty.predict(
      model,
      {
        rows: [
          { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
          { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 },
        ],
      },
      { top_k: 2 },
    );
    expect(answer.model).toBe(model);
    expect(answer.predictions).toHaveLength(2);
    const first = answer.predictions[0] as Array<{ label: string; score: number }>;
    expect(first).toHaveLength(2);
    expect(['setosa', 'versicolor', 'virginica']).toContain(first[0]!.label);
    const wrong = await ty.models
      .predict(model, { rows: [{ sepal_length: 'tall' }] })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(BadRequestError);
  }, 240_000);
});

describe('verifyWebhook', () => {
  it('accepts what the platform signs and refuses a changed body or an old signature', async () => {
    const secret = 'whsec_test';
    const body = JSON.stringify({ type: 'job.succeeded', data: { id: 'ftjob_1' } });
    const now = Math.floor(Date.now() / 1000);
    const header = signWebhook(secret, body, now);
    expect(await verifyWebhook(secret, header, body)).toBe(true);
    expect(await verifyWebhook(secret, header, `${body} `)).toBe(false);
    expect(await verifyWebhook('whsec_other', header, body)).toBe(false);
    expect(await verifyWebhook(secret, signWebhook(secret, body, now - 3600), body)).toBe(false);
    expect(await verifyWebhook(secret, 'garbage', body)).toBe(false);
  });
});

describe('defaults from the environment (Node)', () => {
  /** `fn` with these variables set (and every other TRAINYARD_* unset), then restored. */
  async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('TRAINYARD_')) delete process.env[name];
    }
    Object.assign(process.env, vars);
    try {
      return await fn();
    } finally {
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  }

  it('new Trainyard() goes where TRAINYARD_API_URL / TRAINYARD_INFER_URL / TRAINYARD_API_KEY say', async () => {
    const { apiUrl, inferUrl, apiKey } = harness.platform;
    await withEnv(
      {
        TRAINYARD_API_URL: apiUrl,
        TRAINYARD_INFER_URL: inferUrl,
        TRAINYARD_API_KEY: apiKey.secret!,
      },
      async () => {
        const fromEnv = new Trainyard();
        expect(fromEnv.core.baseUrl).toBe(apiUrl);
        expect(fromEnv.core.inferUrl).toBe(inferUrl);
        // The key went along: a 404 for a missing model, not a 401.
        await expect(fromEnv.models.get('model_missing')).rejects.toBeInstanceOf(NotFoundError);
        // An explicit baseUrl is not paired with the variables' inference URL.
        const other = new Trainyard({ baseUrl: 'http://127.0.0.1:8787' });
        expect(other.core.inferUrl).toBe('http://127.0.0.1:8788');
      },
    );
  });

  it('with no variable, the running local platform’s platform.json (any port), else 8787', async () => {
    const { apiUrl, inferUrl, apiKey } = harness.platform;
    await withEnv({ TRAINYARD_DATA_DIR: harness.platform.config.dataDir }, async () => {
      const local = new Trainyard({ apiKey: apiKey.secret! });
      expect([local.core.baseUrl, local.core.inferUrl]).toEqual([apiUrl, inferUrl]);
      await expect(local.models.get('model_missing')).rejects.toBeInstanceOf(NotFoundError);
    });
    await withEnv({ TRAINYARD_DATA_DIR: join(tmpdir(), 'trainyard-no-such-dir') }, async () => {
      const fallback = new Trainyard();
      expect([fallback.core.baseUrl, fallback.core.inferUrl]).toEqual([
        'http://127.0.0.1:8787',
        'http://127.0.0.1:8788',
      ]);
    });
  });
});
