import type { Runtime } from '@trainyard/shared';
import { isolatedRuntime } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInferApp } from './app';

let runtime: Runtime & { dispose(): Promise<void> };
let app: ReturnType<typeof createInferApp>;
beforeAll(async () => {
  runtime = await isolatedRuntime('ty-infer');
  app = createInferApp(runtime);
});
afterAll(() => runtime.dispose());

describe('inference app', () => {
  it('answers /healthz without a key', async () => {
    const res = await app.request('/healthz');
    expect(await res.json()).toEqual({
      status: 'ok',
      service: 'infer',
      version: expect.any(String),
    });
  });

  it('requires an API key with the infer scope on /v1', async () => {
    const missing = await app.request('/v1/models/model_x/predict', { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'unauthenticated',
    );

    const apiOnly = (await runtime.apiKeys.create('admin', ['api'])).secret;
    const forbidden = await app.request('/v1/models/model_x/predict', {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiOnly}` },
    });
    expect(forbidden.status).toBe(403);

    const inferOnly = (await runtime.apiKeys.create('edge', ['infer'])).secret;
    const allowed = await app.request('/v1/models/model_x/predict', {
      method: 'POST',
      headers: { Authorization: `Bearer ${inferOnly}` },
    });
    expect(allowed.status).not.toBe(401);
    expect(allowed.status).not.toBe(403);
  });
});
