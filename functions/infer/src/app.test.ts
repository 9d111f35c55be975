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

    // Every role may predict (admin ⊇ member ⊇ inference).
    for (const role of ['admin', 'member', 'inference'] as const) {
      const secret = (await runtime.apiKeys.create(role, { role })).secret;
      const allowed = await app.request('/v1/models/model_x/predict', {
        method: 'POST',
        headers: { Authorization: `Bearer ${secret}` },
      });
      expect(allowed.status, role).not.toBe(401);
      expect(allowed.status, role).not.toBe(403);
    }
  });
});
