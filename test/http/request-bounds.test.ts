import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startInferServer } from '@trainyard/infer';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

interface Answer {
  status: number;
  body: { error: { code: string; message: string; param?: string } };
  /** Bytes this client had written when the answer came. */
  sent: number;
}

/**
 * Sends a body over a raw HTTP connection as `chunks` yields it (no declared length unless given),
 * and stops writing as soon as the server answers, as a client would.
 */
function send(
  url: string,
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    chunks: (write: (chunk: Buffer) => Promise<boolean>) => Promise<void>;
  },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(`${url}${path}`, {
      method: options.method ?? 'POST',
      headers: options.headers,
    });
    req.on('response', (res) => {
      answered = true;
      const sentAtAnswer = sent;
      const parts: Buffer[] = [];
      res.on('data', (part) => parts.push(part));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          body: JSON.parse(Buffer.concat(parts).toString()),
          sent: sentAtAnswer,
        }),
      );
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const write = (chunk: Buffer) =>
      new Promise<boolean>((done) => {
        if (answered || req.destroyed) return done(false);
        sent += chunk.length;
        req.write(chunk, () => done(!answered));
      });
    options
      .chunks(write)
      .then(() => !answered && req.end())
      .catch(reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let api: TestApi;
let auth: Record<string, string>;
beforeAll(async () => {
  api = await startTestApi({ BODY_TIMEOUT_MS: '1500' });
  const { secret } = await api.runtime.apiKeys.create('bounds');
  auth = { Authorization: `Bearer ${secret}` };
});
afterAll(() => api.close());

describe('bounds on every management API request', () => {
  it('refuses a 200 MB JSON body with 413 naming the limit, without reading it whole', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const answer = await send(api.url, '/v1/fine-tuning/jobs', {
      headers: { ...auth, 'content-type': 'application/json' },
      async chunks(write) {
        for (let i = 0; i < 200; i++) if (!(await write(chunk))) return;
      },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('payload_too_large');
    expect(answer.body.error.message).toContain('at most 1048576 bytes');
    expect(answer.body.error.message).toContain('API_MAX_BODY_BYTES');
    expect(answer.sent).toBeLessThan(32 << 20);
  });

  it('refuses a Content-Encoding it cannot decode by name, even on a body that is plain JSON', async () => {
    const res = await api.call('/v1/fine-tuning/jobs/plan', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: JSON.stringify({ dataset: 'ds_x' }),
    });
    expect(res.status).toBe(415);
    expect((await body(res)).error).toMatchObject({
      code: 'unsupported_media_type',
      param: 'Content-Encoding',
      message: expect.stringContaining('send the body uncompressed'),
    });
    // `identity` is no coding at all.
    const plain = await api.call('/v1/fine-tuning/jobs/plan', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
      body: JSON.stringify({ dataset: 'ds_x' }),
    });
    expect(plain.status).toBe(404);
  });

  it('refuses a declared length over the limit before reading, naming both sizes', async () => {
    const honest = await send(api.url, '/v1/datasets', {
      headers: { ...auth, 'content-type': 'application/json', 'content-length': '209715200' },
      async chunks(write) {
        await write(Buffer.from('{"name":'));
      },
    });
    expect(honest.status).toBe(413);
    expect(honest.body.error.message).toMatch(/209715200 bytes.*at most 1048576 bytes/);
    expect(honest.sent).toBeLessThan(100);
  });

  it('answers JSON nested 100,000 deep with a 400 naming the depth and the limit', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const res = await api.call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: deep,
    });
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.code).toBe('json_too_deep');
    expect(error.message).toContain('100000 levels');
    expect(error.message).toContain('at most 64');
    // Brackets inside strings are text, not nesting.
    const texty = await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '[{'.repeat(90), task: 'text_classification', format: 'jsonl' }),
    });
    expect(texty.status).toBe(201);
  });

  it('answers a body that stops arriving with 408', async () => {
    const started = Date.now();
    const answer = await send(api.url, '/v1/datasets', {
      headers: { ...auth, 'content-type': 'application/json' },
      async chunks(write) {
        await write(Buffer.from('{"name": "slow", '));
        await sleep(4000);
      },
    });
    expect(answer.status).toBe(408);
    expect(answer.body.error.code).toBe('request_timeout');
    expect(answer.body.error.message).toContain('1500 ms');
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('answers a GET that declares an empty body like any GET', async () => {
    const answer = await send(api.url, '/v1/datasets', {
      method: 'GET',
      headers: { ...auth, 'content-length': '0' },
      async chunks() {},
    });
    expect(answer.status).toBe(200);
  });

  it('answers a body of declared length that stops arriving with 408', async () => {
    const started = Date.now();
    const answer = await send(api.url, '/v1/datasets', {
      headers: { ...auth, 'content-type': 'application/json', 'content-length': '100' },
      async chunks(write) {
        await write(Buffer.from('{"name": "slow", '));
        await sleep(4000);
      },
    });
    expect(answer.status).toBe(408);
    expect(answer.body.error.code).toBe('request_timeout');
    expect(answer.body.error.message).toContain('1500 ms');
    expect(Date.now() - started).toBeLessThan(3500);
  });

  it('lets the raw upload route take files over the JSON limit, and times out a stalled one', async () => {
    const created = await api.call('/v1/datasets', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'big', task: 'text_classification', format: 'jsonl' }),
    });
    const { id } = await body(created);
    const line = `${JSON.stringify({ text: 'x'.repeat(100), label: 'a' })}\n`;
    const file = line.repeat(Math.ceil((2 << 20) / line.length));
    const put = await api.call(`/v1/datasets/${id}/file`, { method: 'PUT', body: file });
    expect(put.status).toBe(200);
    expect((await body(put)).file.bytes).toBe(file.length);

    const stalled = await send(api.url, `/v1/datasets/${id}/file`, {
      method: 'PUT',
      headers: auth,
      async chunks(write) {
        await write(Buffer.from(line));
        await sleep(4000);
      },
    });
    expect(stalled.status).toBe(408);
    // The file uploaded before is still the dataset's file.
    expect((await body(await api.call(`/v1/datasets/${id}`))).file.bytes).toBe(file.length);
  });
});

describe('bounds on every inference request', () => {
  it('answers deep JSON with 400 and a streamed body over INFER_MAX_BODY_BYTES with 413', async () => {
    const runtime = await isolatedRuntime('ty-bounds', { INFER_MAX_BODY_BYTES: '65536' });
    const server = await startInferServer(runtime, 0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { secret } = await runtime.apiKeys.create('infer', { role: 'inference' });
      const headers = { Authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
      const deep = await fetch(`${url}/v1/models/model_x/predict`, {
        method: 'POST',
        headers,
        body: `{"inputs":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      });
      expect(deep.status).toBe(413); // 200 KB: the size bound comes first
      const nested = await fetch(`${url}/v1/models/model_x/predict`, {
        method: 'POST',
        headers,
        body: `{"inputs":${'['.repeat(1000)}${']'.repeat(1000)}}`,
      });
      expect(nested.status).toBe(400);
      expect((await body(nested)).error.message).toContain('1001 levels');
      const chunk = Buffer.alloc(1 << 20, 0x20);
      const answer = await send(url, '/v1/models/model_x/predict', {
        headers,
        async chunks(write) {
          for (let i = 0; i < 200; i++) if (!(await write(chunk))) return;
        },
      });
      expect(answer.status).toBe(413);
      expect(answer.body.error.message).toContain('INFER_MAX_BODY_BYTES');
      expect(answer.sent).toBeLessThan(32 << 20);
      // A compressed body (or one labelled so) is refused by its header, not misread.
      const gzipped = await fetch(`${url}/v1/models/model_x/predict`, {
        method: 'POST',
        headers: { ...headers, 'content-encoding': 'gzip' },
        body: gzipSync('{"inputs":[{"a":1}]}'),
      });
      expect(gzipped.status).toBe(415);
      expect((await body(gzipped)).error).toMatchObject({
        param: 'Content-Encoding',
        message: expect.stringContaining('Content-Encoding "gzip"'),
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    }
  });
});
