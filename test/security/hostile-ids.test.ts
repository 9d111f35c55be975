import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer } from '@trainyard/api';
import { startInferServer } from '@trainyard/infer';
import { apiKeyIdOf, isId, prefixes } from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// An attacker with a valid key walks every route of both OpenAPI documents with ids built to
// escape their object (`..%2F` toward the key records, encoded dots, slashes, unicode, over-long).
// Each must answer 400 or 404, touch no S3 key outside a well-formed object, and leave the
// operator's key record as it was.

type Runtime = Awaited<ReturnType<typeof isolatedRuntime>>;
type Server = Awaited<ReturnType<typeof startApiServer>>;

let runtime: Runtime;
let api: Server;
let infer: Server;
let secret: string;
let operatorId: string;
/** Every S3 key and prefix the servers asked for while the hostile requests ran. */
const touched: string[] = [];
let recording = false;

const portOf = (server: Server) => (server.address() as AddressInfo).port;

beforeAll(async () => {
  runtime = await isolatedRuntime('ty-ids');
  runtime.s3.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Key?: string; Prefix?: string; StartAfter?: string };
      if (recording) {
        for (const value of [input.Key, input.Prefix]) if (value !== undefined) touched.push(value);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordKeys' },
  );
  secret = (await runtime.apiKeys.create('operator')).secret;
  operatorId = apiKeyIdOf(secret);
  api = await startApiServer(runtime, 0);
  infer = await startInferServer(runtime, 0);
}, 120_000);

afterAll(async () => {
  await Promise.all(
    [api, infer].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))),
  );
  await runtime?.dispose();
});

/** A request with the path sent exactly as written (fetch would normalize `%2e%2e` away). */
function raw(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          authorization: `Bearer ${secret}`,
          ...(body !== undefined
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Ids an attacker would try, for a route whose ids start with `prefix`. */
function hostileIds(prefix: string): string[] {
  const keyFile = `auth%2Fapi-keys%2F${operatorId}.json`;
  return [
    `..%2F..%2F${keyFile}`,
    `..%2f..%2f${keyFile}`,
    `${prefix}_x%2F..%2F..%2F${keyFile}`,
    `${prefix}_x%2F..%2F..%2Fauth%2Fapi-keys%2F${operatorId}`,
    `..%5C..%5C${keyFile}`,
    '%2e%2e',
    '%2e%2e%2f%2e%2e%2fauth',
    `${prefix}_%2e%2e`,
    '..',
    '.',
    `${prefix}_abc/..`,
    `${prefix}_abc.json`,
    `${prefix}_..`,
    `${prefix}_abc%00`,
    `${prefix}_%C3%A9t%C3%A9`,
    `${prefix}_%EF%BD%81%EF%BD%82`, // fullwidth "ａｂ"
    `${prefix.toUpperCase()}_ABC`,
    `${prefix}_${'a'.repeat(65)}`,
    `${prefix}_${'a'.repeat(5000)}`,
    'ds_abc', // another type's id
    '%25',
  ];
}

interface Route {
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly prefix: string;
}

async function routesOf(port: number): Promise<Route[]> {
  const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as {
    paths: Record<
      string,
      Record<string, { parameters?: Array<{ in: string; name: string; example?: string }> }>
    >;
  };
  const out: Route[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const param = operation.parameters?.find((p) => p.in === 'path' && p.name === 'id');
      if (!param) continue;
      const example = String(
        (param as { schema?: { example?: string } }).schema?.example ?? param.example ?? '',
      );
      out.push({
        port,
        method: method.toUpperCase(),
        path,
        prefix: example.includes('_') ? example.slice(0, example.indexOf('_')) : 'x',
      });
    }
  }
  return out;
}

/** Whether an S3 key stays inside one well-formed object of the layout. */
function insideAnObject(key: string): boolean {
  const segments = key.split('/');
  if (segments.some((s) => s === '.' || s === '..' || s.includes('%') || s.includes('\\')))
    return false;
  const [top, id] = segments;
  if (id === undefined || id === '') return true; // a listing of a whole prefix
  const prefixOf: Record<string, 'ds' | 'ftjob' | 'model' | 'bm'> = {
    datasets: 'ds',
    jobs: 'ftjob',
    models: 'model',
    'base-models': 'bm',
  };
  const type = prefixOf[top!];
  if (type) return isId(type, id);
  if (`${top}/` === prefixes.idempotency) return true;
  if (`${top}/${id}/` === prefixes.apiKeys) return /^[0-9a-z]{12}\.json$/.test(segments[2]!);
  return false;
}

describe('hostile ids on every route', () => {
  it('answers 400 or 404 on every route with an id, never a 5xx, never a key outside an object', async () => {
    const before = await runtime.storage.getBytes(`${prefixes.apiKeys}${operatorId}.json`);
    const routes = [...(await routesOf(portOf(api))), ...(await routesOf(portOf(infer)))];
    // Every route that takes an id, in both documents (a sanity check that the walk is real).
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'DELETE /v1/api-keys/{id}',
        'GET /v1/datasets/{id}',
        'PUT /v1/datasets/{id}/file',
        'DELETE /v1/models/{id}',
        'GET /v1/base-models/{id}',
        'POST /v1/fine-tuning/jobs/{id}/cancel',
        'GET /v1/fine-tuning/jobs/{id}/events',
        'POST /v1/models/{id}/predict',
      ]),
    );
    const failures: string[] = [];
    recording = true;
    try {
      for (const route of routes) {
        for (const id of hostileIds(route.prefix)) {
          const path = route.path.replace('{id}', id);
          const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}';
          const res = await raw(route.port, route.method, path, body);
          if (res.status !== 400 && res.status !== 404) {
            failures.push(
              `${route.method} ${path.slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`,
            );
          }
        }
      }
    } finally {
      recording = false;
    }
    expect(failures).toEqual([]);
    expect(touched.filter((key) => !insideAnObject(key))).toEqual([]);
    // The operator's key record is untouched, and the key still works.
    expect(
      Buffer.from(await runtime.storage.getBytes(`${prefixes.apiKeys}${operatorId}.json`)),
    ).toEqual(Buffer.from(before));
    const list = await fetch(`http://127.0.0.1:${portOf(api)}/v1/api-keys`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(list.status).toBe(200);
    const keys = ((await list.json()) as { data: Array<{ id: string; revoked_at: unknown }> }).data;
    expect(keys).toEqual([expect.objectContaining({ id: operatorId, revoked_at: null })]);
  });

  it('refuses hostile `after` cursors on every list with a 400', async () => {
    for (const list of ['/v1/datasets', '/v1/fine-tuning/jobs', '/v1/models', '/v1/base-models']) {
      for (const after of ['..%2F..%2Fauth', '%2e%2e', 'x'.repeat(300), 'ds_%C3%A9']) {
        const res = await raw(portOf(api), 'GET', `${list}?after=${after}`);
        expect(res.status, `${list}?after=${after}`).toBe(400);
      }
    }
  });

  it('names the expected form of the id in the 400', async () => {
    const res = await raw(portOf(api), 'GET', '/v1/datasets/..%2F..%2Fauth');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toMatchObject({ param: 'path.id' });
    expect(JSON.parse(res.text).error.message).toContain('ds_');
  });
});
