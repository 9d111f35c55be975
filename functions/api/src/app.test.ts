import type { Runtime } from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from './app';

let runtime: Runtime & { dispose(): Promise<void> };
let app: ReturnType<typeof createApiApp>;
let secret: string;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-api');
  app = createApiApp(runtime);
  secret = (await runtime.apiKeys.create('test')).secret;
});
afterAll(() => runtime.dispose());

const auth = () => ({ Authorization: `Bearer ${secret}` });

describe('API app', () => {
  it('answers /healthz without a key, with a request id', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: 'api', version: expect.any(String) });
    expect(res.headers.get('x-request-id')).toMatch(/.{8,}/);
  });

  it('serves an OpenAPI document generated from the schemas, and a docs page', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/v1/api-keys', '/v1/api-keys/{id}']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'ApiKey', 'CreateApiKey']),
    );
    const docs = await app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/openapi.json');
  });

  it('publishes job events as a union on `type`, one schema per event type', async () => {
    type Schema = {
      oneOf?: Array<{ $ref: string }>;
      discriminator?: { propertyName: string; mapping: Record<string, string> };
      properties?: Record<string, { enum?: string[]; items?: { $ref?: string } } & Schema>;
      required?: string[];
    };
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, Schema> } }>;
      components: { schemas: Record<string, Schema> };
    };
    const schemas = doc.components.schemas;
    const union = schemas.JobEvent!;
    expect(union.discriminator?.propertyName).toBe('type');
    expect(union.discriminator?.mapping['job.failed']).toBe(
      '#/components/schemas/JobEventJobFailed',
    );
    expect(Object.keys(union.discriminator!.mapping)).toEqual(
      expect.arrayContaining(['epoch.completed', 'trial.started', 'webhook.failed', 'job.backend']),
    );
    expect(union.oneOf).toHaveLength(Object.keys(union.discriminator!.mapping).length);
    const failed = schemas.JobEventJobFailed!;
    expect(failed.properties?.type?.enum).toEqual(['job.failed']);
    expect(failed.properties?.data?.required).toEqual(['error']);
    // The events route's page lists that union.
    const list = schemas.FineTuningJobEventList!;
    expect(list.properties?.data?.items?.$ref).toBe('#/components/schemas/JobEvent');
  });

  it('answers a malformed Idempotency-Key 400, naming the header', async () => {
    const res = await app.request('/v1/api-keys', {
      method: 'POST',
      headers: {
        ...auth(),
        'content-type': 'application/json',
        'Idempotency-Key': 'k'.repeat(256),
      },
      body: JSON.stringify({ name: 'ci' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({
      code: 'invalid_idempotency_key',
      param: 'Idempotency-Key',
      message: 'Idempotency-Key must be 1 to 255 characters; received 256 characters',
    });
  });

  it('answers 401 in the error shape without a key, with a wrong key, or a malformed header', async () => {
    for (const headers of [
      {},
      { Authorization: 'Bearer ty_abcdefabcdef_wrongwrongwrongwrongwrongwrong' },
      { Authorization: 'Basic abc' },
    ]) {
      const res = await app.request('/v1/api-keys', { headers: headers as Record<string, string> });
      expect(res.status).toBe(401);
      const body = (await res.json()) as {
        error: { code: string; message: string; request_id: string };
      };
      expect(body.error.code).toBe('unauthenticated');
      expect(body.error.message).toMatch(/API key|Authorization/);
      expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
    }
  });

  it('lets a valid key in, and keeps an inference key out with a 403 naming both roles', async () => {
    expect((await app.request('/v1/api-keys', { headers: auth() })).status).toBe(200);
    const inferOnly = (await runtime.apiKeys.create('edge', { role: 'inference' })).secret;
    const res = await app.request('/v1/api-keys', {
      headers: { Authorization: `Bearer ${inferOnly}` },
    });
    expect(res.status).toBe(403);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('role_required');
    expect(error.message).toContain('admin role');
    expect(error.message).toContain('this key has the inference role');
  });

  it('creates, lists and revokes keys; a revoked key is refused at once', async () => {
    const created = await app.request('/v1/api-keys', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'deploy', role: 'inference' }),
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as {
      id: string;
      secret: string;
      role: string;
      project: string;
    };
    expect(key).toMatchObject({ role: 'inference', project: 'default' });
    const list = (await (await app.request('/v1/api-keys', { headers: auth() })).json()) as {
      data: { id: string }[];
    };
    expect(list.data.map((k) => k.id)).toContain(key.id);
    expect(
      (await app.request(`/v1/api-keys/${key.id}`, { method: 'DELETE', headers: auth() })).status,
    ).toBe(200);
    // The app's store caches lookups briefly; a fresh store (another process) refuses at once.
    await expect(runtime.apiKeys.verify(key.secret)).rejects.toThrow();
  });

  it('names the field, what was received and what was expected on bad input', async () => {
    const res = await app.request('/v1/api-keys', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', role: 'owner' }),
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as {
      error: { code: string; message: string; param: string };
    };
    expect(error.code).toBe('invalid_request');
    expect(error.param).toBe('body.role');
    expect(error.message).toContain('"member"');
    expect(error.message).toContain('received "owner"');

    const unknown = await app.request('/v1/api-keys', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', colour: 'red' }),
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(
      /colour/,
    );
  });

  it('answers unknown routes and unknown keys with 404 in the error shape', async () => {
    const route = await app.request('/v1/nothing-here', { headers: auth() });
    expect(route.status).toBe(404);
    expect(((await route.json()) as { error: { code: string } }).error.code).toBe(
      'route_not_found',
    );
    const key = await app.request('/v1/api-keys/nope00000000', {
      method: 'DELETE',
      headers: auth(),
    });
    expect(key.status).toBe(404);
    expect(((await key.json()) as { error: { param: string } }).error.param).toBe('id');
    // Not an API key id at all: refused before any lookup.
    const malformed = await app.request('/v1/api-keys/nope', { method: 'DELETE', headers: auth() });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { param: string } }).error.param).toBe('path.id');
  });

  it('tells a prediction sent to the API where the inference function is', async () => {
    const res = await app.request('/v1/models/model_abc/predict', {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{"inputs":[[1,2,3,4]]}',
    });
    expect(res.status).toBe(404);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('route_not_found');
    const { host, inferPort } = runtime.config.http;
    expect(error.message).toContain(`POST http://${host}:${inferPort}/v1/models/{id}/predict`);
    expect(error.message).toContain('TRAINYARD_INFER_URL');
  });
});
