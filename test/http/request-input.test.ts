import type { AddressInfo } from 'node:net';
import { startInferServer } from '@trainyard/infer';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body, startTestApi, type TestApi } from '../support/api';

// What a user typing requests by hand gets wrong in the bytes, the JSON and the query string,
// answered over real HTTP with the field, what was received and what was expected.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const json = { 'content-type': 'application/json' };
const dataset = (name: string) => ({
  name,
  task: 'tabular_classification',
  format: 'csv',
  label_column: 'y',
  size_bytes: 10,
});

async function post(path: string, text: string | Uint8Array) {
  const res = await api.call(path, { method: 'POST', headers: json, body: text });
  return { status: res.status, error: (await body(res)).error };
}

describe('JSON bodies', () => {
  it('refuses a body that is not UTF-8, naming the first bad byte, instead of storing U+FFFD', async () => {
    const text = Buffer.concat([
      Buffer.from('{"name":"bad'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(
        'name","task":"tabular_classification","format":"csv","label_column":"y","size_bytes":10}',
      ),
    ]);
    const { status, error } = await post('/v1/datasets', text);
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'invalid_utf8', param: 'body' });
    expect(error.message).toContain('not valid UTF-8');
    expect(error.message).toContain('byte 12 (0xff)');
    // A truncated multi-byte character (the first two bytes of "€") is named at its start too.
    const cut = Buffer.concat([
      Buffer.from('{"name":"'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('"}'),
    ]);
    const truncated = await post('/v1/datasets', cut);
    expect(truncated.error.code).toBe('invalid_utf8');
    expect(truncated.error.message).toContain('byte 9 (0xe2)');
    // Valid UTF-8 beyond ASCII is taken as it is.
    const ok = await api.call('/v1/datasets', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(dataset('déjà vu €')),
    });
    const created = await body(ok);
    expect(created.error).toBeUndefined();
    expect(ok.status).toBe(201);
    expect(created.name).toBe('déjà vu €');
  });

  it('refuses JSON labelled with another charset, naming it, and creates nothing', async () => {
    const text = JSON.stringify(dataset('café'));
    for (const charset of ['iso-8859-1', '"windows-1252"', 'UTF-16']) {
      const res = await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: Buffer.from(text, 'latin1'),
      });
      expect(res.status, charset).toBe(415);
      const { error } = await body(res);
      expect(error).toMatchObject({ code: 'unsupported_media_type', param: 'Content-Type' });
      expect(error.message).toContain(`declares charset "${charset.replaceAll('"', '')}"`);
      expect(error.message).toContain('expected JSON encoded as UTF-8');
    }
    const listed = await body(await api.call('/v1/datasets?limit=100'));
    expect(listed.data.map((d: { name: string }) => d.name)).not.toContain('café');
    for (const charset of ['utf-8', 'UTF8', '"utf-8"', 'US-ASCII']) {
      const res = await api.call('/v1/datasets', {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: JSON.stringify(dataset(`café ${charset.replaceAll('"', '')}`)),
      });
      expect(res.status, charset).toBe(201);
    }
  });

  it('answers malformed JSON with invalid_json, the parser position and the expected body', async () => {
    const { status, error } = await post('/v1/datasets', '{"name": "x",}');
    expect(status).toBe(400);
    expect(error.code).toBe('invalid_json');
    expect(error.param).toBe('body');
    expect(error.message).toMatch(/position 13/);
    expect(error.message).toContain('the body of POST /v1/datasets');
    expect(error.message).toMatch(/expected a JSON object \{name, task, format, label_column\?/);
    const empty = await post('/v1/fine-tuning/jobs', '');
    expect(empty.error.code).toBe('invalid_json');
    expect(empty.error.message).toContain('Unexpected end of JSON input');
    expect(empty.error.message).toContain('dataset');
  });
});

describe('JSON bodies of inference', () => {
  it('refuses a predict body that is not UTF-8 before looking for the model', async () => {
    const runtime = await isolatedRuntime('ty-input');
    const server = await startInferServer(runtime, 0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { secret } = await runtime.apiKeys.create('infer', { role: 'inference' });
      const res = await fetch(`${url}/v1/models/model_x/predict`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${secret}`, ...json },
        body: Buffer.concat([
          Buffer.from('{"inputs":["a'),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from('"]}'),
        ]),
      });
      expect(res.status).toBe(400);
      const { error } = await body(res);
      expect(error).toMatchObject({ code: 'invalid_utf8', param: 'body' });
      expect(error.message).toContain('byte 13 (0xc0)');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.dispose();
    }
  });
});

describe('query strings', () => {
  it('refuses an unknown query parameter of a list, naming it and the one meant', async () => {
    for (const path of [
      '/v1/datasets?limt=2',
      '/v1/fine-tuning/jobs?limt=2',
      '/v1/models?limt=2',
    ]) {
      const res = await api.call(path);
      expect(res.status).toBe(400);
      const { error } = await body(res);
      expect(error.param).toBe('query.limt');
      expect(error.message).toContain(
        'query.limt: unknown parameter "limt"; did you mean query.limit?',
      );
      expect(error.message).toContain('expected only: limit, after');
    }
    const events = await api.call(
      '/v1/fine-tuning/jobs/ftjob_0000000000000000000000/events?afterr=x',
    );
    expect(events.status).toBe(400);
    expect((await body(events)).error.message).toContain('did you mean query.after?');
    // A route without query parameters says it takes none.
    const show = await api.call('/v1/datasets/ds_0000000000000000000000?limit=2');
    expect(show.status).toBe(400);
    expect((await body(show)).error).toMatchObject({
      param: 'query.limit',
      message:
        'query.limit: unknown parameter "limit"; GET /v1/datasets/{id} takes no query parameters',
    });
    // Only a caller with a key learns that: without one it is the 401 of any route.
    const anonymous = await fetch(`${api.url}/v1/datasets/ds_0000000000000000000000?limit=2`);
    expect(anonymous.status).toBe(401);
    // Known parameters still page as before.
    const page = await api.call('/v1/datasets?limit=2');
    expect(page.status).toBe(200);
  });

  it('reads a number parameter only from decimal text, not hex, an empty value or a word', async () => {
    for (const [value, received] of [
      ['0x10', 'received "0x10"'],
      ['', 'received ""'],
      ['Infinity', 'received "Infinity"'],
      ['ten', 'received "ten"'],
    ]) {
      const res = await api.call(`/v1/datasets?limit=${value}`);
      expect(res.status, value).toBe(400);
      const { error } = await body(res);
      expect(error.param).toBe('query.limit');
      expect(error.message).toContain('expected number');
      expect(error.message).toContain(received);
    }
    for (const value of ['2', ' 2', '2e0', '2.0']) {
      expect((await api.call(`/v1/datasets?limit=${value}`)).status, value).toBe(200);
    }
  });
});

describe('a field one level too deep', () => {
  it('names the enclosing object a misplaced field belongs to, not a deeper namesake', async () => {
    const res = await api.call('/v1/fine-tuning/jobs', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        dataset: 'ds_0000000000000000000000',
        architecture: { type: 'transfer', base_model: 'model_0000000000000000000000' },
      }),
    });
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.param).toBe('body.architecture.base_model');
    expect(error.message).toContain(
      'unknown field "base_model": it belongs at body.base_model, not inside body.architecture',
    );
    expect(error.message).not.toContain('embeddings');
  });

  it('suggests no field for __proto__', async () => {
    const res = await api.call('/v1/datasets', {
      method: 'POST',
      headers: json,
      body: '{"name":"x","task":"tabular_classification","format":"csv","label_column":"y","__proto__":{"a":1}}',
    });
    expect(res.status).toBe(400);
    const { error } = await body(res);
    expect(error.param).toBe('body.__proto__');
    expect(error.message).toContain('unknown field "__proto__"');
    expect(error.message).not.toContain('did you mean');
  });
});

describe('names', () => {
  it('refuses control and bidirectional-override characters in every name, naming field, code point and position', async () => {
    const cases = [
      {
        path: '/v1/datasets',
        sent: dataset('a\u0000b'),
        param: 'body.name',
        shown: 'U+0000 at position 1',
      },
      {
        path: '/v1/datasets',
        sent: dataset('\u202egnp.exe 😀'),
        param: 'body.name',
        shown: 'U+202E at position 0',
      },
      {
        path: '/v1/fine-tuning/jobs',
        sent: { dataset: 'ds_0000000000000000000000', model_name: '😀 x\u2066' },
        param: 'body.model_name',
        shown: 'U+2066 at position 3',
      },
      {
        path: '/v1/api-keys',
        sent: { name: 'ci\u009b' },
        param: 'body.name',
        shown: 'U+009B at position 2',
      },
      {
        path: '/v1/base-models',
        sent: { name: 'b\nx', source: { url: 'https://example.com/model.json' } },
        param: 'body.name',
        shown: 'U+000A at position 1',
      },
    ];
    for (const { path, sent, param, shown } of cases) {
      const res = await api.call(path, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(sent),
      });
      expect(res.status, path).toBe(400);
      const { error } = await body(res);
      expect(error.param).toBe(param);
      expect(error.message).toContain(`${param}: contains ${shown}`);
      expect(error.message).toContain('expected no control characters');
      expect(error.message).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0080-\u009f]/);
    }
    // Letters of any script and emoji stay names.
    const ok = await api.call('/v1/datasets', {
      method: 'POST',
      headers: json,
      body: JSON.stringify(dataset('עברית 😀 name')),
    });
    expect(ok.status).toBe(201);
  });
});
