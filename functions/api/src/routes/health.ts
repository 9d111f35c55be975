import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { healthSchema, type Readiness, readinessSchema, type Storage } from '@trainyard/shared';

const health = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'Liveness of the API function',
  responses: {
    200: { description: 'Up', content: { 'application/json': { schema: healthSchema } } },
  },
});

const ready = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Operations'],
  summary: 'Readiness: whether the S3 endpoint answers',
  description:
    '`/healthz` says the process is up and costs nothing; this one asks S3 (a HEAD of the bucket, at most 2 s) and answers 503 while it does not answer.',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: readinessSchema } } },
    503: {
      description: 'A dependency does not answer',
      content: { 'application/json': { schema: readinessSchema } },
    },
  },
});

/** The readiness answer of a function: its dependencies' checks, 503 when one fails. */
export async function readiness(
  storage: Storage,
  service: string,
): Promise<[Readiness, 200 | 503]> {
  const s3 = await storage.check();
  return [{ status: s3.ok ? 'ready' : 'unavailable', service, checks: { s3 } }, s3.ok ? 200 : 503];
}

export function registerHealth(app: OpenAPIHono, version: string, storage: Storage): void {
  app.openapi(health, (c) => c.json({ status: 'ok' as const, service: 'api', version }, 200));
  app.openapi(ready, async (c) => {
    const [body, status] = await readiness(storage, 'api');
    return c.json(body, status);
  });
}
