import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer } from '@trainyard/api';
import { Storage } from '@trainyard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// Per-key rate and concurrency limits of the management API, with limits set low enough to reach.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ API_RATE_LIMIT: '6', API_MAX_CONCURRENT_PER_KEY: '1' });
});
afterAll(() => api.close());

const newKey = async (name: string) => (await api.runtime.apiKeys.create(name)).secret;
const get = (key: string, path = '/v1/datasets?limit=1') =>
  fetch(`${api.url}${path}`, { headers: { Authorization: `Bearer ${key}` } });

describe('per-key rate limit', () => {
  it('answers the RateLimit headers, then 429 with Retry-After past the limit; other keys go on', async () => {
    const key = await newKey('busy');
    for (let i = 0; i < 6; i++) {
      const res = await get(key);
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-limit')).toBe('6');
      expect(res.headers.get('ratelimit-remaining')).toBe(String(5 - i));
      expect(res.headers.get('ratelimit-policy')).toBe('6;w=60');
      expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const over = await get(key);
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    const { error } = await body(over);
    expect(error.code).toBe('rate_limited');
    expect(error.message).toContain('more than 6 requests in 60 s (API_RATE_LIMIT');
    expect(error.request_id).toBeTruthy();
    expect((await get(await newKey('other'))).status).toBe(200);
  });
});

/** A real `Storage` that tells when an upload (a dataset file's) starts streaming to S3. */
class UploadWatchingStorage extends Storage {
  private started: () => void = () => {};
  /** Resolves once `upload` has been called: the request is past admission, in its handler. */
  readonly uploadStarted = new Promise<void>((resolve) => {
    this.started = resolve;
  });
  override upload: Storage['upload'] = (key, body, options) => {
    this.started();
    return super.upload(key, body, options);
  };
}

describe('per-key concurrency limit', () => {
  it('refuses a second request while the key has one in progress (429, Retry-After: 1)', async () => {
    // Its own server on the same bucket and limits, whose storage says when the upload below is
    // in progress (rather than a sleep that a loaded machine can outlast).
    const storage = new UploadWatchingStorage(api.runtime.s3, api.runtime.config.s3.bucket);
    const server = await startApiServer({ ...api.runtime, storage }, 0);
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (key: string) =>
      fetch(`${apiUrl}/v1/datasets?limit=1`, { headers: { Authorization: `Bearer ${key}` } });
    const key = await newKey('uploader');
    const created = await fetch(`${apiUrl}/v1/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'slow',
        task: 'tabular_classification',
        format: 'csv',
        label_column: 'y',
      }),
    });
    expect(created.status).toBe(201);
    const { id } = await body(created);
    // A raw upload streams to S3 while its body arrives: the request stays in progress.
    const url = new URL(`${apiUrl}/v1/datasets/${id}/file`);
    const upload = request(url, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    });
    const uploaded = new Promise<number>((resolve, reject) => {
      upload.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      upload.on('error', reject);
    });
    upload.write('x,y\n1,a\n');
    await storage.uploadStarted;
    const second = await get(key);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    const { error } = await body(second);
    expect(error.code).toBe('concurrency_limited');
    expect(error.message).toContain('at most 1 at once are accepted (API_MAX_CONCURRENT_PER_KEY)');
    expect((await get(await newKey('neighbour'))).status).toBe(200);
    upload.end('2,b\n');
    expect(await uploaded).toBe(200);
    expect((await get(key)).status).toBe(200);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('limits per principal (the hook per-project limits use)', () => {
  it('applies the limits `limitsFor` gives the authenticated key, and the configured ones to others', async () => {
    const { key: tight, secret: tightSecret } = await api.runtime.apiKeys.create('tight');
    const other = await newKey('loose');
    const server = await startApiServer(
      {
        ...api.runtime,
        limitsFor: (principal) =>
          principal === `key:${tight.id}`
            ? { rateLimit: 1, maxConcurrent: 1 }
            : { rateLimit: 100, maxConcurrent: 10 },
      },
      0,
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = (secret: string) =>
      fetch(`${url}/v1/datasets?limit=1`, { headers: { Authorization: `Bearer ${secret}` } });
    try {
      expect((await call(tightSecret)).status).toBe(200);
      const over = await call(tightSecret);
      expect(over.status).toBe(429);
      expect(over.headers.get('ratelimit-limit')).toBe('1');
      const fine = await call(other);
      expect(fine.status).toBe(200);
      expect(fine.headers.get('ratelimit-limit')).toBe('100');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
